using System.Collections.Concurrent;
using System.Net;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>One answer of a <see cref="FailoverClient"/>: the node that gave it, and whether an earlier node was tried first.</summary>
/// <param name="Status">The HTTP status.</param>
/// <param name="Body">The body.</param>
/// <param name="Node">The index of the node that answered.</param>
/// <param name="Resent">True when the request went to another node first and got no response there.</param>
/// <param name="LastSentAt">When the attempt that was answered was sent (after the failed ones).</param>
/// <param name="FailedAttempts">The attempts without a response before this answer: node and error, e.g. <c>0:ConnectionError</c>.</param>
public sealed record NodeAnswer(HttpStatusCode Status, string Body, int Node, bool Resent, DateTimeOffset LastSentAt, string FailedAttempts = "");

/// <summary>
/// A client over several nodes that behaves like a load balancer: a request goes to its preferred node and, when the
/// connection is refused or closed before any response came, to the next node (the request never got an answer there).
/// A request is never resent after its response headers came: a failure while reading the body is an answer cut off
/// mid-response, counted in <see cref="CutOff"/> and recorded as a failure. POSTs carry an <c>Idempotency-Key</c> of the
/// caller's choosing so a resend can never create a second job.
/// </summary>
public sealed class FailoverClient : IDisposable
{
    private readonly HttpClient[] _clients;
    private readonly long[] _answered;
    private readonly ConcurrentDictionary<string, long> _unanswered = new();
    private long _cutOff;

    public FailoverClient(IReadOnlyList<Uri> nodes, string key)
    {
        _clients = nodes.Select(node => SampleApi.Client(node, key)).ToArray();
        _answered = new long[nodes.Count];
    }

    public int Nodes => _clients.Length;

    /// <summary>Requests whose response headers came but whose body was cut off.</summary>
    public long CutOff => Interlocked.Read(ref _cutOff);

    /// <summary>
    /// Attempts that got no response (refused, or closed before any response), by <see cref="HttpRequestError"/>; each
    /// went on to the next node when one was left.
    /// </summary>
    public IReadOnlyDictionary<string, long> Unanswered => _unanswered;

    /// <summary>How many answers node <paramref name="node"/> has given so far.</summary>
    public long Answered(int node) => Interlocked.Read(ref _answered[node]);

    public async Task<NodeAnswer?> SendAsync(LoadStats stats, string operation, int preferred, HttpMethod method, string path, string? text = null, string? idempotencyKey = null)
    {
        var resent = false;
        var failedAttempts = new List<string>();
        HttpRequestException? last = null;
        for (var tried = 0; tried < _clients.Length; tried++)
        {
            var node = (preferred + tried) % _clients.Length;
            using var request = SampleApi.Request(method, path, text, idempotencyKey);

            var sentAt = DateTimeOffset.UtcNow;
            HttpResponseMessage response;
            try
            {
                response = await _clients[node].SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException exception)
            {
                // Refused, reset or closed before any response: the node never answered it; try the next one.
                last = exception;
                resent = true;
                failedAttempts.Add($"{node}:{exception.HttpRequestError}");
                _unanswered.AddOrUpdate($"{exception.HttpRequestError}", 1, (_, n) => n + 1);
                continue;
            }
            catch (TaskCanceledException exception)
            {
                stats.Fail(operation, exception);
                return null;
            }

            using (response)
            {
                string body;
                try
                {
                    body = await response.Content.ReadAsStringAsync();
                }
                catch (Exception exception) when (exception is HttpRequestException or IOException or TaskCanceledException)
                {
                    Interlocked.Increment(ref _cutOff);
                    stats.Fail(operation, exception);
                    return null;
                }

                Interlocked.Increment(ref _answered[node]);
                stats.Record(operation, response.StatusCode);
                if ((int)response.StatusCode >= 500)
                {
                    stats.Sample($"{operation} {(int)response.StatusCode} from node {node}: {body}");
                }

                return new NodeAnswer(response.StatusCode, body, node, resent, sentAt, string.Join(", ", failedAttempts));
            }
        }

        stats.Fail(operation, last!);
        return null;
    }

    public void Dispose()
    {
        foreach (var client in _clients)
        {
            client.Dispose();
        }
    }
}
