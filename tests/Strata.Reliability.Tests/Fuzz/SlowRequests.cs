using System.Diagnostics;
using System.Net.Sockets;
using System.Text;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>
/// Slow and unfinished requests against Kestrel's limits (defaults: <c>RequestHeadersTimeout</c> 30 s,
/// <c>MinRequestBodyDataRate</c> 240 bytes/s after a 5 s grace): each connection must be dropped by the server (closed, or
/// answered with a 4xx and closed) well before the client would have finished.
/// </summary>
internal static class SlowRequests
{
    public const string Category = "slow";

    /// <summary>A server that never drops the connection fails the case after this long (three times the header timeout).</summary>
    public static readonly TimeSpan GiveUpAfter = TimeSpan.FromSeconds(90);

    private static readonly TimeSpan DripInterval = TimeSpan.FromSeconds(1);

    public enum Kind
    {
        /// <summary>A header line a second, forever: slower than RequestHeadersTimeout allows.</summary>
        DripHeaders,

        /// <summary>Complete headers, Content-Length 100,000, then one body byte a second: below MinRequestBodyDataRate.</summary>
        SlowBody,

        /// <summary>Complete headers with Content-Length, then nothing, the connection left open.</summary>
        BodyNeverSent,

        /// <summary>Half a request line, then nothing.</summary>
        NeverFinishes,
    }

    public sealed record Result(Kind Kind, RawOutcome Outcome, int? Status, TimeSpan Elapsed, long BytesSent);

    public static async Task<Result> RunAsync(Uri server, FuzzTarget target, Kind kind)
    {
        var head = kind switch
        {
            Kind.DripHeaders => $"GET /health/live HTTP/1.1\r\nHost: {target.Host}\r\n",
            Kind.SlowBody or Kind.BodyNeverSent => $"POST /v1/analyze HTTP/1.1\r\nHost: {target.Host}\r\nX-Api-Key: {target.Key}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{{\"text\":\"",
            _ => "POST /v1/jo",
        };

        using var client = new TcpClient { NoDelay = true };
        using var giveUp = new CancellationTokenSource(GiveUpAfter);
        var watch = Stopwatch.StartNew();
        await client.ConnectAsync(server.Host, server.Port, giveUp.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();
        var reading = ReadUntilClosedAsync(stream, received, giveUp.Token);
        long sent = 0;
        try
        {
            var bytes = Encoding.ASCII.GetBytes(head);
            await stream.WriteAsync(bytes, giveUp.Token);
            sent += bytes.Length;
            for (var i = 0; !reading.IsCompleted; i++)
            {
                await Task.WhenAny(reading, Task.Delay(DripInterval, giveUp.Token));
                if (reading.IsCompleted)
                {
                    break;
                }

                byte[]? drip = kind switch
                {
                    Kind.DripHeaders => Encoding.ASCII.GetBytes($"X-Drip-{i}: v\r\n"),
                    Kind.SlowBody => "a"u8.ToArray(),
                    _ => null,
                };
                if (drip is not null)
                {
                    await stream.WriteAsync(drip, giveUp.Token);
                    sent += drip.Length;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return new Result(kind, RawOutcome.Hung, RawHttp.Parse(received.ToArray())?.Status, watch.Elapsed, sent);
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            // The server dropped the connection while the client was writing.
        }

        var outcome = await reading;
        return new Result(kind, outcome, SafeParse(received.ToArray())?.Status, watch.Elapsed, sent);
    }

    /// <summary>Reads until the server closes: Answered when it wrote an answer first, Closed when not, Hung at the deadline.</summary>
    private static async Task<RawOutcome> ReadUntilClosedAsync(NetworkStream stream, MemoryStream received, CancellationToken cancellationToken)
    {
        var buffer = new byte[4096];
        try
        {
            while (await stream.ReadAsync(buffer, cancellationToken) is var read and > 0)
            {
                received.Write(buffer, 0, read);
            }
        }
        catch (OperationCanceledException)
        {
            return RawOutcome.Hung;
        }
        catch (Exception exception) when (exception is IOException or SocketException)
        {
            // Reset: closed.
        }

        return SafeParse(received.ToArray()) is null ? RawOutcome.Closed : RawOutcome.Answered;
    }

    private static RawResponse? SafeParse(byte[] data)
    {
        try
        {
            return RawHttp.Parse(data);
        }
        catch (Exception exception) when (exception is InvalidDataException or FormatException)
        {
            return null;
        }
    }
}
