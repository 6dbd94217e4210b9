using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>An HTTP/1.1 answer as read off the socket: status, headers (names lower-cased), the de-chunked body.</summary>
internal sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, byte[] Body)
{
    public string? Header(string name) => Headers.TryGetValue(name.ToLowerInvariant(), out var value) ? value : null;

    /// <summary>Kestrel's own rejection of a request it could not parse: no body, the connection closed.</summary>
    public bool IsServerRejection => Body.Length == 0 && string.Equals(Header("connection"), "close", StringComparison.OrdinalIgnoreCase);
}

/// <summary>How a raw exchange ended.</summary>
internal enum RawOutcome
{
    /// <summary>A complete HTTP answer was read.</summary>
    Answered,

    /// <summary>The server closed (or reset) the connection without a complete answer.</summary>
    Closed,

    /// <summary>Neither an answer nor a close before the deadline: the server holds the connection.</summary>
    Hung,
}

/// <summary>
/// Sends bytes that an <see cref="HttpClient"/> would refuse to send (bad request lines, control characters, conflicting
/// framing, chunked garbage) over a plain <see cref="TcpClient"/>, and reads one answer.
/// </summary>
internal static class RawHttp
{
    /// <summary>
    /// Connects, writes <paramref name="pieces"/> one after the other, optionally half-closes, and reads
    /// until one complete answer, the server's close, or <paramref name="deadline"/>.
    /// </summary>
    public static async Task<(RawOutcome Outcome, RawResponse? Response)> ExchangeAsync(
        Uri server, IReadOnlyList<byte[]> pieces, bool halfClose, TimeSpan deadline)
    {
        using var client = new TcpClient(new IPEndPoint(SourceAddresses.Next(), 0)) { NoDelay = true };
        using var timeout = new CancellationTokenSource(deadline);
        await client.ConnectAsync(server.Host, server.Port, timeout.Token);
        var stream = client.GetStream();
        var received = new MemoryStream();

        // Read concurrently with writing: the server may answer (413, 431, 400) and close before the body is sent.
        var reading = ReadAsync(stream, received, timeout.Token);
        try
        {
            foreach (var piece in pieces)
            {
                if (reading.IsCompleted)
                {
                    break;
                }

                await stream.WriteAsync(piece, timeout.Token);
            }

            if (halfClose && !reading.IsCompleted)
            {
                client.Client.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            // The server stopped reading (it answered and closed): whatever it wrote is read below.
        }
        catch (OperationCanceledException)
        {
            return (RawOutcome.Hung, Parse(received.ToArray()));
        }

        var outcome = await reading;
        return (outcome, Parse(received.ToArray()));
    }

    private static async Task<RawOutcome> ReadAsync(NetworkStream stream, MemoryStream received, CancellationToken cancellationToken)
    {
        var buffer = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await stream.ReadAsync(buffer, cancellationToken);
                if (read == 0)
                {
                    return Parse(received.ToArray()) is null ? RawOutcome.Closed : RawOutcome.Answered;
                }

                received.Write(buffer, 0, read);
                if (Parse(received.ToArray()) is not null)
                {
                    return RawOutcome.Answered;
                }
            }
        }
        catch (OperationCanceledException)
        {
            return RawOutcome.Hung;
        }
        catch (Exception exception) when (exception is IOException or SocketException or ObjectDisposedException)
        {
            return Parse(received.ToArray()) is null ? RawOutcome.Closed : RawOutcome.Answered;
        }
    }

    /// <summary>The first complete answer in <paramref name="data"/>, or null while incomplete. A 100 Continue is skipped.</summary>
    internal static RawResponse? Parse(byte[] data)
    {
        var offset = 0;
        while (true)
        {
            var end = IndexOf(data, "\r\n\r\n"u8, offset);
            if (end < 0)
            {
                return null;
            }

            var head = Encoding.Latin1.GetString(data, offset, end - offset).Split("\r\n");
            var statusParts = head[0].Split(' ', 3);
            if (statusParts.Length < 2 || !statusParts[0].StartsWith("HTTP/", StringComparison.Ordinal)
                || !int.TryParse(statusParts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var status))
            {
                throw new InvalidDataException($"Not an HTTP answer: {head[0]}");
            }

            var headers = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var line in head.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = line[..colon].Trim().ToLowerInvariant();
                    var value = line[(colon + 1)..].Trim();
                    headers[name] = headers.TryGetValue(name, out var previous) ? previous + ", " + value : value;
                }
            }

            var bodyStart = end + 4;
            if (status is >= 100 and < 200)
            {
                offset = bodyStart;
                continue;
            }

            if (headers.TryGetValue("transfer-encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
            {
                var body = Dechunk(data, bodyStart);
                return body is null ? null : new RawResponse(status, headers, body);
            }

            var length = headers.TryGetValue("content-length", out var declared) ? int.Parse(declared, CultureInfo.InvariantCulture) : 0;
            return data.Length - bodyStart < length ? null : new RawResponse(status, headers, data[bodyStart..(bodyStart + length)]);
        }
    }

    private static byte[]? Dechunk(byte[] data, int offset)
    {
        var body = new MemoryStream();
        while (true)
        {
            var lineEnd = IndexOf(data, "\r\n"u8, offset);
            if (lineEnd < 0)
            {
                return null;
            }

            var sizeText = Encoding.ASCII.GetString(data, offset, lineEnd - offset).Split(';')[0].Trim();
            var size = int.Parse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            var chunkStart = lineEnd + 2;
            if (size == 0)
            {
                return IndexOf(data, "\r\n"u8, chunkStart) < 0 ? null : body.ToArray();
            }

            if (data.Length < chunkStart + size + 2)
            {
                return null;
            }

            body.Write(data, chunkStart, size);
            offset = chunkStart + size + 2;
        }
    }

    private static int IndexOf(byte[] data, ReadOnlySpan<byte> pattern, int offset)
        => offset > data.Length ? -1 : data.AsSpan(offset).IndexOf(pattern) is var index and >= 0 ? offset + index : -1;
}

/// <summary>
/// A random loopback source address (127.1.0.1 to 127.254.255.254; Linux routes all of 127/8 to the loopback device)
/// for each connection. The API-key brute-force guard blocks a client address after a few failed keys; spreading
/// the pass over many addresses keeps it from turning every later case into the same 429.
/// </summary>
internal static class SourceAddresses
{
    public static IPAddress Next()
        => new([127, (byte)Random.Shared.Next(1, 255), (byte)Random.Shared.Next(0, 256), (byte)Random.Shared.Next(1, 255)]);
}
