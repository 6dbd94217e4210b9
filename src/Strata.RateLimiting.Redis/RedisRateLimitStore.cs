using System.Globalization;
using StackExchange.Redis;
using Strata.RateLimiting.Store;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// Limiter state in Redis: each decision is one EVALSHA of Scripts/decide.lua (re-sent with EVAL
/// once when the server answers NOSCRIPT, which also caches it again), with time from the server.
/// Failures and timeouts surface as <see cref="RateLimitStoreException"/> for the failure modes.
/// </summary>
internal sealed class RedisRateLimitStore : IRateLimitStore, IAsyncDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;
    private Task<IConnectionMultiplexer>? _connection;

    /// <param name="connect">Gives the connection; called again only when an earlier call failed.</param>
    /// <param name="keyPrefix">The first part of every key.</param>
    /// <param name="commandTimeout">The longest wait for the connection or a script.</param>
    /// <param name="ownsConnection">True when the store created the connection and disposes it.</param>
    public RedisRateLimitStore(Func<Task<IConnectionMultiplexer>> connect, string keyPrefix, TimeSpan commandTimeout, bool ownsConnection = false)
    {
        _connect = connect;
        _ownsConnection = ownsConnection;
        _prefix = keyPrefix.TrimEnd(':');
        _timeout = commandTimeout;
        if (ownsConnection)
        {
            // Start connecting now so the first decisions do not wait for the handshake.
            _connection = connect();
        }
    }

    public string Name => "redis";

    public bool IsDistributed => true;

    /// <summary>Microseconds added to the server's time; only tests move it.</summary>
    internal long TimeOffsetMicros { get; set; }

    /// <summary>The number of times a NOSCRIPT answer made the store send a script again.</summary>
    internal int ScriptReloads => _scriptReloads;

    private int _scriptReloads;

    public bool TryDecide(StoreRequest request, out StoreDecision decision)
    {
        decision = null!;
        return false;
    }

    public async ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var tag = RedisKeys.Tag(request.Partition);
        var limits = request.Limits;
        var keys = new RedisKey[limits.Length];
        var values = new RedisValue[3 + (limits.Length * 4)];
        values[0] = TimeOffsetMicros;
        values[1] = request.Cost;
        values[2] = request.LeaseId ?? string.Empty;
        for (var i = 0; i < limits.Length; i++)
        {
            keys[i] = RedisKeys.Key(_prefix, request.Policy, tag, i, limits.Length);
            values[3 + (i * 4)] = (int)limits[i].Algorithm;
            values[4 + (i * 4)] = limits[i].Limit;
            values[5 + (i * 4)] = limits[i].PeriodMicros;
            values[6 + (i * 4)] = limits[i].TokensPerPeriod;
        }

        var result = await EvaluateAsync(LuaScriptFile.Decide, keys, values, cancellationToken).ConfigureAwait(false);
        var items = (RedisResult[]?)result;
        if (items is null || items.Length != 1 + (limits.Length * 4))
        {
            throw new RateLimitStoreException($"The Redis rate-limit script returned {items?.Length ?? 0} values for {limits.Length} limits.");
        }

        var results = new LimitResult[limits.Length];
        for (var i = 0; i < limits.Length; i++)
        {
            var at = 1 + (i * 4);
            results[i] = new LimitResult((long)items[at] == 1, (long)items[at + 1], (long)items[at + 2], (long)items[at + 3]);
        }

        return new StoreDecision((long)items[0] == 1, results);
    }

    public async ValueTask ReleaseAsync(StoreRequest request)
    {
        if (request.LeaseId is null)
        {
            return;
        }

        var tag = RedisKeys.Tag(request.Partition);
        var keys = new List<RedisKey>();
        for (var i = 0; i < request.Limits.Length; i++)
        {
            if (request.Limits[i].Algorithm == RateLimitAlgorithm.Concurrency)
            {
                keys.Add(RedisKeys.Key(_prefix, request.Policy, tag, i, request.Limits.Length));
            }
        }

        var member = request.LeaseId + "#" + request.Cost.ToString(CultureInfo.InvariantCulture);
        await EvaluateAsync(LuaScriptFile.Release, [.. keys], [member], CancellationToken.None).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_ownsConnection && _connection is { IsCompletedSuccessfully: true } connection)
        {
            await (await connection.ConfigureAwait(false)).DisposeAsync().ConfigureAwait(false);
        }
    }

    internal async Task<IDatabase> DatabaseAsync()
    {
        var connection = _connection;
        if (connection is null || connection.IsFaulted || connection.IsCanceled)
        {
            connection = _connection = _connect();
        }

        return (await connection.ConfigureAwait(false)).GetDatabase();
    }

    private async Task<RedisResult> EvaluateAsync(LuaScriptFile script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        try
        {
            var database = await DatabaseAsync().WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            try
            {
                return await Observe(database.ScriptEvaluateAsync(script.Sha1, keys, values)).WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            }
            catch (RedisServerException ex) when (ex.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal))
            {
                // The server lost its script cache (restart, failover, SCRIPT FLUSH): EVAL sends the text and caches it again.
                Interlocked.Increment(ref _scriptReloads);
                return await Observe(database.ScriptEvaluateAsync(script.Text, keys, values)).WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (TimeoutException ex)
        {
            throw new RateLimitStoreException($"Redis did not answer within {_timeout.TotalMilliseconds:0} ms.", ex);
        }
        catch (RedisException ex)
        {
            throw new RateLimitStoreException("Redis could not run the rate-limit script: " + ex.GetType().Name + ".", ex);
        }
    }

    /// <summary>A timed-out call still completes later; observe its fault so it is not reported as unobserved.</summary>
    private static Task<T> Observe<T>(Task<T> task)
    {
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }
}
