using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Strata.Benchmarks.SyncAsync;

/// <summary>
/// A closed-loop HTTP/1.1 load generator: <c>connections</c> keep-alive connections, each sending its next request as
/// soon as the previous one was answered (as wrk does), on async sockets in the benchmark's own process (the server
/// runs in another, so the two thread pools do not mix). Every answer that ends inside the measured window counts and
/// its latency (send to last byte) is kept; the window follows a warm-up on the same connections. A request that gets
/// no answer within the timeout counts as a timeout (its latency is not kept, as wrk does) and its connection is
/// replaced; an answer with another status than the expected one, or a connection the server closed, counts as an error.
/// Errors and timeouts count over the whole load, including the wait for the last answers after the window.
/// </summary>
internal static class ClosedLoopLoad
{
    /// <summary>Runs the load and returns what the measured window saw.</summary>
    /// <param name="address">The server (<c>http://127.0.0.1:port</c>).</param>
    /// <param name="request">The request every connection sends.</param>
    /// <param name="connections">Concurrent connections (the concurrency).</param>
    /// <param name="warmup">Load before the window (not counted).</param>
    /// <param name="window">The measured window.</param>
    /// <param name="timeout">How long a request may wait for its answer.</param>
    /// <param name="probe">Samples the server (CPU time, thread pool) at the window's start and end.</param>
    /// <returns>The window's results.</returns>
    public static async Task<LoadResult> RunAsync(Uri address, HttpRequestSpec request, int connections, TimeSpan warmup, TimeSpan window, TimeSpan timeout, Func<ServerSample> probe)
    {
        var endpoint = new IPEndPoint(IPAddress.Parse(address.Host), address.Port);
        var bytes = request.Build(address);
        var run = new Run(endpoint, bytes, request.ExpectedStatus, timeout);
        var sockets = await Task.WhenAll(Enumerable.Range(0, connections).Select(_ => ConnectAsync(endpoint))).ConfigureAwait(false);

        var now = Stopwatch.GetTimestamp();
        run.WindowStart = now + (long)(warmup.TotalSeconds * Stopwatch.Frequency);
        run.WindowEnd = run.WindowStart + (long)(window.TotalSeconds * Stopwatch.Frequency);
        var callers = sockets.Select(s => Task.Run(() => run.CallerAsync(s))).ToArray();
        await DelayUntilAsync(run.WindowStart).ConfigureAwait(false);
        var atStart = probe();
        await DelayUntilAsync(run.WindowEnd).ConfigureAwait(false);
        var atEnd = probe();
        run.Stopping = true;
        var perCaller = await Task.WhenAll(callers).ConfigureAwait(false);

        var latencies = new long[perCaller.Sum(c => c.Latencies.Count)];
        var at = 0;
        foreach (var caller in perCaller)
        {
            caller.Latencies.CopyTo(latencies, at);
            at += caller.Latencies.Count;
        }

        Array.Sort(latencies);
        return new LoadResult(
            connections,
            window,
            latencies,
            perCaller.Sum(c => c.Errors),
            perCaller.Sum(c => c.Timeouts),
            perCaller.Select(c => c.FirstError).FirstOrDefault(e => e is not null),
            atEnd.Cpu - atStart.Cpu,
            atEnd.Stats);
    }

    private static async Task DelayUntilAsync(long timestamp)
    {
        var left = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), timestamp);
        if (left > TimeSpan.FromMilliseconds(20))
        {
            await Task.Delay(left - TimeSpan.FromMilliseconds(10)).ConfigureAwait(false);
        }

        while (Stopwatch.GetTimestamp() < timestamp)
        {
            await Task.Delay(1).ConfigureAwait(false);
        }
    }

    private static async Task<Socket> ConnectAsync(IPEndPoint endpoint)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(endpoint).ConfigureAwait(false);
            return socket;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private sealed class Run(IPEndPoint endpoint, byte[] request, int expectedStatus, TimeSpan timeout)
    {
        public long WindowStart { get; set; }

        public long WindowEnd { get; set; }

        public volatile bool Stopping;

        public async Task<CallerResult> CallerAsync(Socket socket)
        {
            var result = new CallerResult();
            var buffer = new byte[16 * 1024];
            var timer = new CancellationTokenSource();
            try
            {
                while (!Stopping)
                {
                    var start = Stopwatch.GetTimestamp();
                    timer.CancelAfter(timeout);
                    int status;
                    try
                    {
                        status = await ExchangeAsync(socket, request, buffer, timer.Token).ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or SocketException or IOException or HttpFormatException)
                    {
                        // Counted whenever they happen (warm-up, window, or waiting for the last answers after it): a
                        // deadlocked server answers nothing, and its requests time out only after the window.
                        if (ex is OperationCanceledException)
                        {
                            result.Timeouts++;
                        }
                        else
                        {
                            result.Errors++;
                            result.FirstError ??= ex.Message;
                        }

                        // The connection is in an unknown state: replace it (the server may still be busy with the request).
                        socket.Dispose();
                        timer.Dispose();
                        timer = new CancellationTokenSource();
                        if (Stopping)
                        {
                            break;
                        }

                        if (await ReconnectAsync(result).ConfigureAwait(false) is not { } next)
                        {
                            break;
                        }

                        socket = next;
                        continue;
                    }

                    var done = Stopwatch.GetTimestamp();
                    if (!timer.TryReset())
                    {
                        timer.Dispose();
                        timer = new CancellationTokenSource();
                    }

                    if (status != expectedStatus)
                    {
                        result.Errors++;
                        result.FirstError ??= string.Create(CultureInfo.InvariantCulture, $"Expected status {expectedStatus}, got {status}.");
                    }
                    else if (InWindow(done))
                    {
                        result.Latencies.Add(done - start);
                    }
                }
            }
            finally
            {
                socket.Dispose();
                timer.Dispose();
            }

            return result;
        }

        /// <summary>A new connection (null once the load stops); a failed connect counts as an error and is tried again.</summary>
        private async Task<Socket?> ReconnectAsync(CallerResult result)
        {
            while (!Stopping)
            {
                try
                {
                    return await ConnectAsync(endpoint).ConfigureAwait(false);
                }
                catch (SocketException ex)
                {
                    result.Errors++;
                    result.FirstError ??= ex.Message;

                    await Task.Delay(10).ConfigureAwait(false);
                }
            }

            return null;
        }

        private bool InWindow(long timestamp) => timestamp >= WindowStart && timestamp <= WindowEnd;
    }

    /// <summary>Sends one request and reads its whole answer; returns the status code.</summary>
    private static async Task<int> ExchangeAsync(Socket socket, byte[] request, byte[] buffer, CancellationToken cancellationToken)
    {
        await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += await ReceiveAsync(socket, buffer, filled, cancellationToken).ConfigureAwait(false);
        }

        if (headerEnd < 12 || !buffer.AsSpan(0, 9).SequenceEqual("HTTP/1.1 "u8) || !Utf8Parser.TryParse(buffer.AsSpan(9, 3), out int status, out _))
        {
            throw new HttpFormatException("Unreadable status line.");
        }

        var bodyStart = headerEnd + 4;
        var head = buffer.AsSpan(0, headerEnd);
        var lengthAt = HeaderValueAt(head, "Content-Length"u8);
        if (lengthAt >= 0)
        {
            if (!Utf8Parser.TryParse(head[lengthAt..], out int length, out _))
            {
                throw new HttpFormatException("Unreadable Content-Length.");
            }

            while (filled - bodyStart < length)
            {
                filled += await ReceiveAsync(socket, buffer, filled, cancellationToken).ConfigureAwait(false);
            }

            return status;
        }

        // Chunked (the only other framing Kestrel uses on a keep-alive connection): read to the last chunk.
        while (!buffer.AsSpan(bodyStart, filled - bodyStart).EndsWith("0\r\n\r\n"u8))
        {
            filled += await ReceiveAsync(socket, buffer, filled, cancellationToken).ConfigureAwait(false);
        }

        return status;
    }

    /// <summary>
    /// Where the value of the header <paramref name="name"/> starts in the head (after the colon and any spaces), or
    /// -1. Names compare without regard to case: Kestrel writes <c>Content-Length</c>, Uvicorn <c>content-length</c>.
    /// </summary>
    private static int HeaderValueAt(ReadOnlySpan<byte> head, ReadOnlySpan<byte> name)
    {
        var offset = 0;
        while (head[offset..].IndexOf("\r\n"u8) is var lineBreak and >= 0)
        {
            var line = offset + lineBreak + 2;
            var rest = head[line..];
            if (rest.Length > name.Length && rest[name.Length] == (byte)':' && Ascii.EqualsIgnoreCase(rest[..name.Length], name))
            {
                var value = line + name.Length + 1;
                while (value < head.Length && head[value] == (byte)' ')
                {
                    value++;
                }

                return value;
            }

            offset = line;
        }

        return -1;
    }

    private static async Task<int> ReceiveAsync(Socket socket, byte[] buffer, int offset, CancellationToken cancellationToken)
    {
        if (offset == buffer.Length)
        {
            throw new HttpFormatException("Answer larger than the receive buffer.");
        }

        var read = await socket.ReceiveAsync(buffer.AsMemory(offset), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        return read > 0 ? read : throw new HttpFormatException("The server closed the connection.");
    }

    private sealed class CallerResult
    {
        public List<long> Latencies { get; } = new(1024);

        public int Errors { get; set; }

        public int Timeouts { get; set; }

        public string? FirstError { get; set; }
    }

    private sealed class HttpFormatException(string message) : Exception(message);
}

/// <summary>One request, sent over and over.</summary>
/// <param name="Method">GET or POST.</param>
/// <param name="Path">The path.</param>
/// <param name="JsonBody">A JSON body (POST), or null.</param>
/// <param name="ExpectedStatus">The status a correct answer has.</param>
internal sealed record HttpRequestSpec(string Method, string Path, string? JsonBody, int ExpectedStatus)
{
    public byte[] Build(Uri address)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"{Method} {Path} HTTP/1.1\r\nHost: {address.Authority}\r\n");
        if (JsonBody is not null)
        {
            text.Append(CultureInfo.InvariantCulture, $"Content-Type: application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(JsonBody)}\r\n\r\n{JsonBody}");
        }
        else
        {
            text.Append("\r\n");
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }
}

/// <summary>What one measured window saw.</summary>
/// <param name="Connections">The concurrency.</param>
/// <param name="Window">The window's length.</param>
/// <param name="Latencies">Latencies of the correct answers, in <see cref="Stopwatch"/> ticks, sorted.</param>
/// <param name="Errors">Wrong statuses and broken connections, over the whole load (warm-up and stop included).</param>
/// <param name="Timeouts">Requests without an answer within the timeout, over the whole load.</param>
/// <param name="FirstError">The first error's description, if any.</param>
/// <param name="ServerCpu">CPU time the server process used during the window.</param>
/// <param name="ServerAtEnd">The server's stats at the window's end (null if it printed none yet).</param>
internal sealed record LoadResult(int Connections, TimeSpan Window, long[] Latencies, int Errors, int Timeouts, string? FirstError, TimeSpan ServerCpu, ServerStats? ServerAtEnd)
{
    public double RequestsPerSecond => Latencies.Length / Window.TotalSeconds;

    /// <summary>The latency at a quantile, in milliseconds (nearest rank).</summary>
    public double Percentile(double quantile) => Percentile(Latencies, quantile);

    public static double Percentile(long[] sorted, double quantile)
    {
        if (sorted.Length == 0)
        {
            return double.NaN;
        }

        var rank = (int)Math.Ceiling(quantile * sorted.Length) - 1;
        return sorted[Math.Clamp(rank, 0, sorted.Length - 1)] * 1000.0 / Stopwatch.Frequency;
    }
}
