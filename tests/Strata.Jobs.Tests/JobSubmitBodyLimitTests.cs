using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs.Testing;

namespace Strata.Jobs.Tests;

/// <summary>A body over the server's limit, refused by real Kestrel while the endpoint reads it.</summary>
public sealed class JobSubmitBodyLimitTests
{
    [Fact]
    public async Task Body_larger_than_the_server_limit_gets_413_problem_details_not_503()
    {
        var builder = WebApplication.CreateBuilder();
        builder.WebHost.UseKestrel(o => o.Limits.MaxRequestBodySize = 1024).UseUrls("http://127.0.0.1:0");
        builder.Services.AddSingleton(new JobProbe());
        builder.Services.AddProblemDetails();
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>();
        await using var app = builder.Build();
        app.MapJobEndpoints<EchoJob>("/v1/echo");
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        using var client = new HttpClient { BaseAddress = new Uri(address) };

        // Chunked, so that Kestrel cannot refuse it by its Content-Length before the endpoint reads it.
        var body = new StreamContent(new MemoryStream(Encoding.UTF8.GetBytes($$"""{"text":"{{new string('a', 4096)}}"}""")));
        body.Headers.ContentType = new("application/json");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/echo") { Content = body };
        request.Headers.TransferEncodingChunked = true;
        using var response = await client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.RequestEntityTooLarge);
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        problem.GetProperty("status").GetInt32().Should().Be(413);
        problem.GetProperty("title").GetString().Should().Be("Request body too large");
        await app.StopAsync();
    }
}
