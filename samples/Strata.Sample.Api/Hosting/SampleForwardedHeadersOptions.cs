using System.Net;
using Microsoft.AspNetCore.HttpOverrides;

namespace Strata.Sample.Api.Hosting;

/// <summary>The proxies whose <c>X-Forwarded-*</c> headers the host applies (section <c>Api:ForwardedHeaders</c>).</summary>
internal sealed class SampleForwardedHeadersOptions
{
    /// <summary>Addresses of the proxies in front of this host, e.g. <c>10.0.0.5</c>. Default: none.</summary>
    public List<string> KnownProxies { get; } = [];

    /// <summary>Networks the proxies are in, in CIDR notation, e.g. <c>10.0.0.0/24</c>. Default: none.</summary>
    public List<string> KnownNetworks { get; } = [];

    /// <summary>True when a proxy or network is listed: only then are the headers read.</summary>
    public bool Enabled => KnownProxies.Count > 0 || KnownNetworks.Count > 0;

    /// <summary>Each entry that is not an address or a network, naming the setting.</summary>
    public List<string> Problems()
    {
        var problems = new List<string>();
        for (var i = 0; i < KnownProxies.Count; i++)
        {
            if (!IPAddress.TryParse(KnownProxies[i], out _))
            {
                problems.Add($"{SampleForwardedHeaders.SectionName}:KnownProxies:{i} '{KnownProxies[i]}' is not an IP address.");
            }
        }

        for (var i = 0; i < KnownNetworks.Count; i++)
        {
            if (!System.Net.IPNetwork.TryParse(KnownNetworks[i], out _))
            {
                problems.Add($"{SampleForwardedHeaders.SectionName}:KnownNetworks:{i} '{KnownNetworks[i]}' is not a network in CIDR notation (e.g. 10.0.0.0/24).");
            }
        }

        return problems;
    }

    /// <summary>
    /// Turns the middleware on for the listed proxies only. The framework's defaults trust loopback; they are cleared, so
    /// a process on the same machine is not a proxy unless listed.
    /// </summary>
    public void ApplyTo(ForwardedHeadersOptions options)
    {
        options.KnownProxies.Clear();
        options.KnownIPNetworks.Clear();
        if (!Enabled)
        {
            options.ForwardedHeaders = ForwardedHeaders.None;
            return;
        }

        options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
        options.ForwardLimit = 1;   // one proxy: only the entry it appended counts, whatever the client put before it
        foreach (var proxy in KnownProxies)
        {
            options.KnownProxies.Add(IPAddress.Parse(proxy));
        }

        foreach (var network in KnownNetworks)
        {
            options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        }
    }
}
