using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// The Lua scripts, read once from the embedded .lua files. Each call runs EVALSHA; on NOSCRIPT (a
/// restarted or failed-over server) it sends the script again with EVAL, which loads it.
/// </summary>
internal sealed class RedisScript
{
    private readonly string _source;
    private readonly byte[] _sha1;

    private RedisScript(string name)
    {
        using var stream = typeof(RedisScript).Assembly.GetManifestResourceStream($"Strata.Jobs.Redis.Scripts.{name}.lua")
            ?? throw new InvalidOperationException($"The embedded script {name}.lua is missing.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        _source = reader.ReadToEnd();
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; no security depends on it.
        _sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(_source));
#pragma warning restore CA5350
    }

    public static RedisScript EnqueueBatch { get; } = new("enqueue_batch");

    public static RedisScript Start { get; } = new("start");

    public static RedisScript StartBatch { get; } = new("start_batch");

    public static RedisScript ReadStart { get; } = new("read_start");

    public static RedisScript SucceedBatch { get; } = new("succeed_batch");

    public static RedisScript Finish { get; } = new("finish");

    public static RedisScript Retry { get; } = new("retry");

    public static RedisScript Release { get; } = new("release");

    public static RedisScript Promote { get; } = new("promote");

    public static RedisScript Cancel { get; } = new("cancel");

    public static RedisScript Requeue { get; } = new("requeue");

    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(_sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
        {
            return await database.ScriptEvaluateAsync(_source, keys, values).ConfigureAwait(false);
        }
    }
}
