using Strata.Sample.Gateway;

// A reverse proxy in front of the sample's api nodes: TLS ends here (Kestrel's certificate settings), requests go
// round-robin to the healthy nodes of ReverseProxy:Clusters:api, and X-Forwarded-For/-Proto carry the client's address
// and scheme (YARP's default transforms replace whatever the client sent in them). The api nodes trust those headers
// only from this gateway's address (Api:ForwardedHeaders:KnownProxies in the sample's settings).
var builder = WebApplication.CreateBuilder(args);
builder.Services.AddReverseProxy()
    .LoadFromConfig(builder.Configuration.GetSection("ReverseProxy"));   // routes, the api cluster, its health checks

var app = builder.Build();
app.MapReverseProxy(proxy =>
{
    proxy.UseSessionAffinity();
    proxy.UseLoadBalancing();                      // picks one healthy node (round-robin)
    proxy.UseMiddleware<RefusedConnectionRetry>(); // a node that refused the connection never saw the request: try another
    proxy.UsePassiveHealthChecks();                // connection failures count against the node that had them
});

await app.RunAsync();
