using System.Collections.Concurrent;
using System.Net;
using System.Text;

namespace Strata.Reliability.Tests.Infrastructure;

/// <summary>Counts of a load run: answers by operation and status code, transport failures by exception type.</summary>
public sealed class LoadStats
{
    private readonly ConcurrentDictionary<(string Operation, int Status), long> _answers = new();
    private readonly ConcurrentDictionary<string, long> _failures = new();
    private readonly ConcurrentQueue<string> _samples = new();

    public void Record(string operation, HttpStatusCode status) => _answers.AddOrUpdate((operation, (int)status), 1, (_, n) => n + 1);

    /// <summary>A request that got no HTTP answer at all (reset, refused, timed out).</summary>
    public void Fail(string operation, Exception exception)
    {
        _failures.AddOrUpdate($"{operation}: {exception.GetType().Name}", 1, (_, n) => n + 1);
        if (_samples.Count < 5)
        {
            _samples.Enqueue($"{operation}: {exception.Message}");
        }
    }

    /// <summary>Keeps a few bodies of unexpected answers for the failure message.</summary>
    public void Sample(string text)
    {
        if (_samples.Count < 5)
        {
            _samples.Enqueue(text);
        }
    }

    public long Requests => _answers.Values.Sum() + _failures.Values.Sum();

    public long Count(Func<int, bool> status) => _answers.Where(a => status(a.Key.Status)).Sum(a => a.Value);

    public long Count(string operation, int status) => _answers.GetValueOrDefault((operation, status));

    public long ServerErrors => Count(status => status >= 500);

    public long TransportFailures => _failures.Values.Sum();

    public override string ToString()
    {
        var text = new StringBuilder();
        text.AppendLine($"requests {Requests}, 5xx {ServerErrors}, 429 {Count(s => s == 429)}, no answer {TransportFailures}");
        foreach (var ((operation, status), count) in _answers.OrderBy(a => a.Key.Operation, StringComparer.Ordinal).ThenBy(a => a.Key.Status))
        {
            text.AppendLine($"  {operation,-14} {status} x {count}");
        }

        foreach (var (failure, count) in _failures)
        {
            text.AppendLine($"  {failure} x {count}");
        }

        foreach (var sample in _samples)
        {
            text.AppendLine($"  sample: {sample}");
        }

        return text.ToString();
    }
}
