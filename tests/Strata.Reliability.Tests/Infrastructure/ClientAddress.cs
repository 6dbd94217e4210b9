using System.Net;
using System.Net.Sockets;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>
/// Clients with distinct addresses on one machine: every connection is bound to a loopback address of 127.0.0.0/8
/// (127.0.0.2, 127.0.0.3, ...) before it connects, so a server sees each client at its own address.
/// </summary>
public static class ClientAddress
{
    /// <summary>An HTTP client whose connections come from <paramref name="local"/>; <paramref name="certificate"/> the only trusted TLS certificate.</summary>
    public static HttpClient From(IPAddress local, Uri baseAddress, DevelopmentCertificate? certificate = null)
    {
        var handler = new SocketsHttpHandler
        {
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectCallback = async (context, cancellationToken) =>
            {
                var socket = new Socket(local.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(local, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        certificate?.TrustOnly(handler);
        return new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }
}
