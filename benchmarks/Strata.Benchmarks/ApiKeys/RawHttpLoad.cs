using System.Buffers.Text;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;

namespace Strata.Benchmarks.ApiKeys;

/// <summary>
/// A closed-loop HTTP/1.1 load generator for hosts in the same process: <c>callers</c> dedicated threads, each with
/// one blocking keep-alive socket per target, sending one GET at a time and reading the whole response. It allocates
/// nothing per request, and because its threads do nothing else, the CPU time they use can be read per thread from
/// <c>/proc</c> and subtracted from the process's CPU time: what is left is the server's (Kestrel, the pipeline,
/// the GC). <see cref="HttpClient"/> cannot give that split: its continuations run on the thread pool the server uses.
/// </summary>
internal sealed class RawHttpLoad : IDisposable
{
    private readonly Caller[] _callers;
    private readonly SemaphoreSlim _start = new(0);
    private readonly CountdownEvent _done;
    private int _target;
    private int _remaining;
    private volatile bool _stopping;
    private Exception? _failure;

    /// <param name="targets">The hosts' addresses (<c>http://127.0.0.1:port</c>).</param>
    /// <param name="path">The path every request asks for.</param>
    /// <param name="headers">Extra request headers, the same for every target.</param>
    /// <param name="callers">Concurrent callers: threads, and connections per target.</param>
    public RawHttpLoad(IReadOnlyList<Uri> targets, string path, IReadOnlyList<KeyValuePair<string, string>> headers, int callers)
    {
        var requests = targets.Select(t => BuildRequest(t, path, headers)).ToArray();
        _done = new CountdownEvent(callers);
        _callers = new Caller[callers];
        using var ready = new CountdownEvent(callers);
        for (var i = 0; i < callers; i++)
        {
            var sockets = targets.Select(Connect).ToArray();
            _callers[i] = new Caller(this, sockets, requests, ready);
        }

        // Each thread reports its kernel thread id (for its /proc/self/task/<tid>/schedstat) before the first batch.
        ready.Wait();
    }

    /// <summary>Sends <paramref name="requests"/> requests to target <paramref name="target"/> and waits for every response.</summary>
    /// <returns>Wall time, and the CPU time the callers' threads used (client side only).</returns>
    public (TimeSpan Elapsed, TimeSpan ClientCpu) Run(int target, int requests)
    {
        _target = target;
        _remaining = requests;
        _failure = null;
        _done.Reset(_callers.Length);
        var cpuBefore = ClientCpu();
        var watch = Stopwatch.StartNew();
        _start.Release(_callers.Length);
        _done.Wait();
        watch.Stop();
        var cpu = ClientCpu() - cpuBefore;
        if (_failure is { } failure)
        {
            throw new InvalidOperationException($"A request to target {target} failed: {failure.Message}", failure);
        }

        return (watch.Elapsed, cpu);
    }

    public void Dispose()
    {
        _stopping = true;
        _start.Release(_callers.Length);
        foreach (var caller in _callers)
        {
            caller.Join();
        }

        _start.Dispose();
        _done.Dispose();
    }

    /// <summary>
    /// CPU time of the whole process, threads that have exited included, from <c>getrusage(RUSAGE_SELF)</c> (Linux
    /// sums the threads' exact run times; microsecond resolution). Summing <c>/proc/self/task/*/schedstat</c>, as
    /// runs H to S did, loses a thread-pool thread that retires during a batch together with all the CPU it used
    /// before, which made a few batches' server CPU far too low (or negative) and distorted the totals.
    /// </summary>
    public static TimeSpan ProcessCpu()
    {
        if (GetResourceUsage(ResourceUsageSelf, out var usage) != 0)
        {
            throw new InvalidOperationException("getrusage failed.");
        }

        var microseconds = (usage.UserSeconds * 1_000_000) + usage.UserMicroseconds + (usage.SystemSeconds * 1_000_000) + usage.SystemMicroseconds;
        return TimeSpan.FromTicks(microseconds * 10);
    }

    private TimeSpan ClientCpu()
    {
        long total = 0;
        Span<byte> buffer = stackalloc byte[128];
        foreach (var caller in _callers)
        {
            total += ReadSchedstat(caller.SchedstatPath, buffer);
        }

        return TimeSpan.FromTicks(total / 100);
    }

    private static long ReadSchedstat(string path, Span<byte> buffer)
    {
        // "<ns on cpu> <ns waiting> <slices>\n"; a thread that exited meanwhile counts as 0.
        try
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
            var read = file.Read(buffer);
            return Utf8Parser.TryParse(buffer[..read], out long nanoseconds, out _) ? nanoseconds : 0;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static Socket Connect(Uri target)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        socket.Connect(new IPEndPoint(IPAddress.Parse(target.Host), target.Port));
        return socket;
    }

    private static byte[] BuildRequest(Uri target, string path, IReadOnlyList<KeyValuePair<string, string>> headers)
    {
        var text = new StringBuilder()
            .Append(CultureInfo.InvariantCulture, $"GET {path} HTTP/1.1\r\nHost: {target.Authority}\r\n");
        foreach (var (name, value) in headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        return Encoding.ASCII.GetBytes(text.Append("\r\n").ToString());
    }

    /// <summary>One request and its whole response on a keep-alive connection; throws unless the status is 200.</summary>
    private static void Exchange(Socket socket, byte[] request, byte[] buffer)
    {
        socket.Send(request);
        var filled = 0;
        int headerEnd;
        while ((headerEnd = buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8)) < 0)
        {
            filled += Receive(socket, buffer, filled);
        }

        var head = buffer.AsSpan(0, headerEnd);
        if (!head.StartsWith("HTTP/1.1 200 "u8))
        {
            var statusLine = head[..Math.Max(0, head.IndexOf("\r\n"u8))];
            throw new InvalidOperationException($"Expected 200, got '{Encoding.ASCII.GetString(statusLine)}'.");
        }

        var bodyStart = headerEnd + 4;
        var lengthAt = head.IndexOf("\r\nContent-Length: "u8);
        if (lengthAt >= 0)
        {
            var digits = head[(lengthAt + 18)..];
            if (!Utf8Parser.TryParse(digits, out int length, out _))
            {
                throw new InvalidOperationException("Unreadable Content-Length.");
            }

            while (filled - bodyStart < length)
            {
                filled += Receive(socket, buffer, filled);
            }

            return;
        }

        // Chunked: read until the last chunk.
        while (!buffer.AsSpan(bodyStart, filled - bodyStart).EndsWith("0\r\n\r\n"u8))
        {
            filled += Receive(socket, buffer, filled);
        }
    }

    private static int Receive(Socket socket, byte[] buffer, int offset)
    {
        if (offset == buffer.Length)
        {
            throw new InvalidOperationException("Response larger than the receive buffer.");
        }

        var read = socket.Receive(buffer, offset, buffer.Length - offset, SocketFlags.None);
        return read > 0 ? read : throw new InvalidOperationException("The server closed the connection.");
    }

    private sealed class Caller
    {
        private readonly RawHttpLoad _load;
        private readonly Socket[] _sockets;
        private readonly byte[][] _requests;
        private readonly byte[] _buffer = new byte[16 * 1024];
        private readonly Thread _thread;

        public Caller(RawHttpLoad load, Socket[] sockets, byte[][] requests, CountdownEvent ready)
        {
            _load = load;
            _sockets = sockets;
            _requests = requests;
            _thread = new Thread(() => Run(ready)) { IsBackground = true, Name = "load caller" };
            _thread.Start();
        }

        public string SchedstatPath { get; private set; } = string.Empty;

        public void Join()
        {
            _thread.Join();
            foreach (var socket in _sockets)
            {
                socket.Dispose();
            }
        }

        private void Run(CountdownEvent ready)
        {
            // /proc/thread-self links to /proc/<pid>/task/<tid>: this thread's own accounting.
            var self = new DirectoryInfo("/proc/thread-self").ResolveLinkTarget(returnFinalTarget: false)!.FullName;
            SchedstatPath = Path.Combine(self, "schedstat");
            ready.Signal();
            while (true)
            {
                _load._start.Wait();
                if (_load._stopping)
                {
                    return;
                }

                var target = _load._target;
                try
                {
                    while (Interlocked.Decrement(ref _load._remaining) >= 0)
                    {
                        Exchange(_sockets[target], _requests[target], _buffer);
                    }
                }
                catch (Exception ex) when (ex is InvalidOperationException or SocketException)
                {
                    _load._failure = ex;
                    Interlocked.Exchange(ref _load._remaining, 0);
                }

                _load._done.Signal();
            }
        }
    }

    private const int ResourceUsageSelf = 0;

    [DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetResourceUsage(int who, out ResourceUsage usage);

    /// <summary><c>struct rusage</c> on 64-bit Linux: two <c>timeval</c>s, then fourteen <c>long</c> counters.</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct ResourceUsage
    {
        public long UserSeconds;
        public long UserMicroseconds;
        public long SystemSeconds;
        public long SystemMicroseconds;
        public long MaxResidentSet;
        public long SharedMemory;
        public long UnsharedData;
        public long UnsharedStack;
        public long MinorFaults;
        public long MajorFaults;
        public long Swaps;
        public long BlocksIn;
        public long BlocksOut;
        public long MessagesSent;
        public long MessagesReceived;
        public long Signals;
        public long VoluntarySwitches;
        public long InvoluntarySwitches;
    }
}
