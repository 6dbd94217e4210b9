using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace Strata.Reliability.Tests.Fuzz;

/// <summary>
/// Sends cases concurrently and checks every answer against the rules of the hostile-input pass; collects counts by
/// category and outcome, and a description (seed, index, request) of every broken rule.
/// </summary>
internal sealed class FuzzRunner(Uri server, FuzzTarget target, int seed) : IDisposable
{
    /// <summary>Longer than Kestrel's RequestHeadersTimeout (30 s), so a request the server cannot finish reading is closed by then.</summary>
    private static readonly TimeSpan RawDeadline = TimeSpan.FromSeconds(45);

    private readonly HttpClient _client = new(new SocketsHttpHandler
    {
        RequestHeaderEncodingSelector = (_, _) => Encoding.UTF8,
        ConnectCallback = async (context, cancellationToken) =>
        {
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                socket.Bind(new IPEndPoint(SourceAddresses.Next(), 0));
                await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                return new NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
        AllowAutoRedirect = false,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    })
    {
        BaseAddress = server,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private readonly ConcurrentDictionary<(string Category, string Outcome), long> _counts = new();
    private readonly ConcurrentQueue<string> _failures = new();
    private long _cases;

    public int Seed => seed;

    public long Cases => Interlocked.Read(ref _cases);

    public IReadOnlyCollection<string> Failures => _failures;

    public long Count(Func<string, bool> outcome) => _counts.Where(c => outcome(c.Key.Outcome)).Sum(c => c.Value);

    public long CountCategory(string category) => _counts.Where(c => c.Key.Category == category).Sum(c => c.Value);

    public Task RunAsync(IEnumerable<FuzzCase> cases, int parallelism)
        => Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = parallelism }, async (fuzzCase, _) =>
        {
            Interlocked.Increment(ref _cases);
            await RunOneAsync(fuzzCase);
        });

    private async Task RunOneAsync(FuzzCase fuzzCase)
    {
        try
        {
            switch (fuzzCase)
            {
                case RawCase raw:
                {
                    var (outcome, response) = await RawHttp.ExchangeAsync(server, raw.Pieces, raw.HalfClose, RawDeadline);
                    if (outcome == RawOutcome.Answered && response is not null)
                    {
                        var headerText = string.Join('\n', response.Headers.Select(h => $"{h.Key}: {h.Value}"));
                        Check(fuzzCase, response.Status, response.Header("content-type"), response.Body, response.IsServerRejection, headerText);
                    }
                    else
                    {
                        NoAnswer(fuzzCase, outcome);
                    }

                    break;
                }

                case ClientCase client:
                {
                    HttpResponseMessage response;
                    using (var request = client.Build())
                    {
                        try
                        {
                            response = await _client.SendAsync(request);
                        }
                        catch (HttpRequestException exception) when (exception.InnerException is IOException or SocketException)
                        {
                            // The server answered (say 401 or 415) and closed before the client finished sending the body;
                            // HttpClient reports the broken send. The same bytes on a socket read while sending get the answer.
                            Count(fuzzCase.Category, "resent raw after an early answer");
                            await RunOneAsync(client.ToRaw(target.Host));
                            return;
                        }
                    }

                    using (response)
                    {
                        var body = await response.Content.ReadAsByteArrayAsync();
                        var headerText = response.Headers.ToString() + response.Content.Headers;
                        Check(fuzzCase, (int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), body, response.Headers.ConnectionClose == true && body.Length == 0, headerText);
                    }

                    break;
                }

                default:
                    throw new InvalidOperationException($"Unknown case type {fuzzCase.GetType().Name}.");
            }
        }
        catch (HttpRequestException exception) when (exception.InnerException is IOException or SocketException)
        {
            NoAnswer(fuzzCase, RawOutcome.Closed);
        }
        catch (Exception exception) when (exception is HttpRequestException or IOException or SocketException or InvalidDataException or TaskCanceledException or FormatException)
        {
            Fail(fuzzCase, $"the exchange failed: {exception.GetType().Name}: {exception.Message}");
        }
    }

    /// <summary>The rules every answer keeps.</summary>
    private void Check(FuzzCase fuzzCase, int status, string? contentType, byte[] body, bool serverRejection, string headers)
    {
        Count(fuzzCase.Category, status.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var text = Encoding.UTF8.GetString(body);
        // 505 is Kestrel's protocol answer to a request line naming a version it does not speak (HTTP/2.0 on a
        // cleartext HTTP/1 port, HTTP/9.9, "http/1.1"): sent before any app code runs, and the right answer.
        var versionRefused = status == 505 && fuzzCase.OddVersion && serverRejection;
        if (versionRefused)
        {
            Count(fuzzCase.Category, "505 for an unknown HTTP version (Kestrel)");
        }
        else if (status >= 500)
        {
            Fail(fuzzCase, $"answered {status}: {Cut(text)}");
        }

        if (fuzzCase.Expected is { } expected && !expected.Contains(status))
        {
            Fail(fuzzCase, $"answered {status}, expected one of {string.Join(", ", expected)}: {Cut(text)}");
        }

        if (text.Contains(target.Key, StringComparison.Ordinal) || headers.Contains(target.Key, StringComparison.Ordinal))
        {
            Fail(fuzzCase, $"the answer ({status}) carries the API key");
        }

        if (status is >= 400 and < 500)
        {
            if (body.Length == 0)
            {
                // Kestrel's own rejection of an unparseable request never reaches the app: no body, connection closed.
                if (!serverRejection && fuzzCase.Method != "HEAD")
                {
                    Fail(fuzzCase, $"answered {status} with an empty body (not a ProblemDetails, and not a server-level rejection)");
                }

                Count(fuzzCase.Category, "4xx from Kestrel (no body)");
            }
            else if (ProblemError(status, contentType, text) is { } error)
            {
                Fail(fuzzCase, $"answered {status} [{contentType}] that is not a ProblemDetails ({error}): {Cut(text)}");
            }
        }
    }

    private static string? ProblemError(int status, string? contentType, string text)
    {
        if (contentType is null || !contentType.StartsWith("application/problem+json", StringComparison.OrdinalIgnoreCase))
        {
            return "content type";
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return "not an object";
            }

            if (!root.TryGetProperty("status", out var statusElement) || statusElement.ValueKind != JsonValueKind.Number || statusElement.GetInt32() != status)
            {
                return "status member";
            }

            return root.TryGetProperty("title", out var title) && title.ValueKind == JsonValueKind.String ? null : "title member";
        }
        catch (JsonException)
        {
            return "not JSON";
        }
    }

    private void NoAnswer(FuzzCase fuzzCase, RawOutcome outcome)
    {
        Count(fuzzCase.Category, outcome == RawOutcome.Hung ? "hung" : "closed without answer");
        if (outcome == RawOutcome.Hung)
        {
            Fail(fuzzCase, $"no answer and no close within {RawDeadline.TotalSeconds:0} s");
        }
        else if (!fuzzCase.MayClose)
        {
            Fail(fuzzCase, "the connection closed without an answer");
        }
    }

    public void Count(string category, string outcome) => _counts.AddOrUpdate((category, outcome), 1, (_, n) => n + 1);

    public void Fail(FuzzCase fuzzCase, string why)
        => _failures.Enqueue($"seed {seed} case {fuzzCase.Index} [{fuzzCase.Category}] {fuzzCase.Description}: {why}".Replace(target.Key, "<key>", StringComparison.Ordinal));

    public void Fail(string why) => _failures.Enqueue($"seed {seed}: {why}".Replace(target.Key, "<key>", StringComparison.Ordinal));

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"seed {seed}, {Cases} cases, {_failures.Count} broken rules");
        foreach (var category in _counts.Keys.Select(k => k.Category).Distinct().Order(StringComparer.Ordinal))
        {
            var outcomes = _counts.Where(c => c.Key.Category == category).OrderBy(c => c.Key.Outcome, StringComparer.Ordinal).Select(c => $"{c.Key.Outcome} x {c.Value}");
            text.AppendLine($"  {category,-14} {string.Join(", ", outcomes)}");
        }

        foreach (var failure in _failures.Take(40))
        {
            text.AppendLine("  FAIL " + failure);
        }

        return text.ToString();
    }

    public void Dispose() => _client.Dispose();

    private static string Cut(string text) => FuzzCases.Show(text.Length > 300 ? text[..300] : text);
}
