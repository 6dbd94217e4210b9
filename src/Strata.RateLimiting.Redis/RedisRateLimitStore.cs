using System.Globalization;
using System.Runtime.CompilerServices;
using StackExchange.Redis;
using Strata.RateLimiting.Store;
using Strata.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>
/// Limiter state in Redis: each decision is one EVALSHA of Scripts/decide.lua (re-sent with EVAL
/// once when the server answers NOSCRIPT, which also caches it again), with time from the server.
/// Failures and timeouts surface as <see cref="RateLimitStoreException"/> for the failure modes. With coalescing on,
/// decisions that arrive while a call is on the wire go together in the next call (RedisRateLimitStore.Coalescing.cs).
/// </summary>
internal sealed partial class RedisRateLimitStore : IRateLimitStore, IAsyncDisposable
{
    private readonly Func<Task<IConnectionMultiplexer>> _connect;
    private readonly bool _ownsConnection;
    private readonly string _prefix;
    private readonly TimeSpan _timeout;
    private readonly SharedTimeout _timeouts;
    private readonly Func<string>? _description;
    private Task<IConnectionMultiplexer>? _connection;
    private IDatabase? _database;

    /// <param name="connect">Gives the connection; called again only when an earlier call failed.</param>
    /// <param name="keyPrefix">The first part of every key.</param>
    /// <param name="commandTimeout">The longest wait for the connection or a script.</param>
    /// <param name="ownsConnection">True when the store created the connection and disposes it.</param>
    /// <param name="description">Names the store for the start-up line, for example <c>redis at 127.0.0.1:6379 (Configuration), prefix strata:rl:</c>.</param>
    /// <param name="coalesce">True to send decisions that arrive while a call is on the wire together in the next call.</param>
    public RedisRateLimitStore(Func<Task<IConnectionMultiplexer>> connect, string keyPrefix, TimeSpan commandTimeout, bool ownsConnection = false, Func<string>? description = null, bool coalesce = true)
    {
        _coalesce = coalesce;
        _description = description;
        _connect = connect;
        _ownsConnection = ownsConnection;
        _prefix = keyPrefix;
        _timeout = commandTimeout;
        _timeouts = new SharedTimeout(commandTimeout);
        if (ownsConnection)
        {
            // Start connecting now so the first decisions do not wait for the handshake.
            _connection = connect();
        }
    }

    public string Name => "redis";

    public string Description => _description?.Invoke() ?? $"redis, prefix {_prefix}";

    public bool IsDistributed => true;

    /// <summary>Microseconds added to the server's time; only tests move it.</summary>
    internal long TimeOffsetMicros { get; set; }

    /// <summary>The number of times a NOSCRIPT answer made the store send a script again.</summary>
    internal int ScriptReloads => _scriptReloads;

    private int _scriptReloads;

    public bool TryDecide(StoreRequest request, out StoreDecision decision)
    {
        decision = default;
        return false;
    }

    public ValueTask<StoreDecision> DecideAsync(StoreRequest request, CancellationToken cancellationToken) =>
        _coalesce ? DecideCoalescedAsync(request, cancellationToken) : DecideAloneAsync(request, cancellationToken);

    /// <summary>One decision in a call of its own: gcra.lua for one GCRA limit, else decide.lua.</summary>
    private ValueTask<StoreDecision> DecideAloneAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        return IsLean(request)
            ? DecideGcraAsync(request, cancellationToken)
            : DecideGeneralAsync(request, cancellationToken);
    }

    /// <summary>True for the common request that gcra.lua decides: one GCRA limit, no lease.</summary>
    private static bool IsLean(StoreRequest request) =>
        request.Limits is [{ Algorithm: RateLimitAlgorithm.Gcra }] && request.LeaseId is null;

    /// <summary>
    /// The common case, a policy with one GCRA limit: Scripts/gcra.lua with one key and three arguments (built once per
    /// limit for a cost of 1), four integers back.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<StoreDecision> DecideGcraAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var spec = request.Limits[0];
        var keys = request.Slot?.StoreState as RedisKey[] ?? GcraKeys(request);
        var values = GcraArguments(spec, request.Cost);
        var script = LuaScriptFile.Gcra;
        var database = _database ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        Task<RedisResult>? call = null;
        RedisResult result;
        try
        {
            call = database.ScriptEvaluateAsync(script.Sha1, keys, values);
            result = await WithTimeout(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            result = await RecoverAsync(ex, call, database, script, keys, values, cancellationToken).ConfigureAwait(false);
        }

        return GcraDecision(spec, request.Cost, result);
    }

    /// <summary>The decision of one request from gcra.lua's reply (also one item of decide_batch.lua's).</summary>
    private static StoreDecision GcraDecision(StoreLimit spec, int cost, RedisResult result)
    {
        if (result.Resp2Type == ResultType.Integer)
        {
            // An admission whose remaining and reset fit one integer (see gcra.lua): reset * (limit + 1) + remaining.
            var packed = (long)result;
            var radix = spec.Limit + 1;
            if (packed < 0 || !GcraPacks(spec))
            {
                throw new RateLimitStoreException("The Redis GCRA script returned an integer that is not a packed admission.");
            }

            var remaining = packed % radix;
            var reset = packed / radix;
            return new StoreDecision(true, [new StoreLimitResult(true, remaining, reset, 0)], NoPermitFor(spec, cost, remaining, reset));
        }

        if (result.Resp2Type != ResultType.Array || result.Length != 4)
        {
            throw new RateLimitStoreException($"The Redis GCRA script returned {(result.Resp2Type == ResultType.Array ? result.Length : 0)} values instead of 4.");
        }

        var allowed = (long)result[0] == 1;
        var limitResult = new StoreLimitResult(allowed, (long)result[1], (long)result[2], (long)result[3]);
        return new StoreDecision(allowed, [limitResult], allowed ? NoPermitFor(spec, cost, limitResult.Remaining, limitResult.ResetMicros) : 0);
    }

    /// <summary>
    /// After a GCRA admission that left no permit: how long no request can be admitted. The next permit comes when the
    /// server's clock reaches TAT + interval - period, and the stored TAT only grows, so no node gets one sooner. The
    /// script rounds the time to the TAT up to whole microseconds (<paramref name="resetMicros"/>): one microsecond is
    /// taken off so the wait is never longer than the truth.
    /// </summary>
    private static long NoPermitFor(StoreLimit spec, int cost, long remaining, long resetMicros)
    {
        if (cost == 0 || remaining != 0)
        {
            return 0;
        }

        var wait = (long)Math.Floor(resetMicros - 1 + ((double)spec.PeriodMicros / spec.Limit) - spec.PeriodMicros);
        return wait > 0 ? wait : 0;
    }

    /// <summary>True when gcra.lua answers an admission of this limit with one packed integer: (limit + 1) * (period + 1) below 2^53.</summary>
    internal static bool GcraPacks(StoreLimit spec) =>
        Math.BigMul((ulong)spec.Limit + 1, (ulong)spec.PeriodMicros + 1, out var low) == 0 && low < 1UL << 53;

    /// <summary>KEYS of gcra.lua: <c>{prefix}{policy}:{tag}</c>, kept in the partition's slot (one store per limiter) for its next decisions.</summary>
    private RedisKey[] GcraKeys(StoreRequest request)
    {
        RedisKey[] keys = [RedisKeys.Key(_prefix, request.Policy, request.Partition)];
        if (request.Slot is { } slot)
        {
            slot.StoreState = keys;
        }

        return keys;
    }

    /// <summary>ARGV of gcra.lua; the common one (cost 1, no time offset) is built once per limit and shared (never written after).</summary>
    private RedisValue[] GcraArguments(StoreLimit spec, int cost)
    {
        var offset = TimeOffsetMicros;
        if (cost != 1 || offset != 0)
        {
            return offset == 0
                ? [cost, spec.Limit, spec.PeriodMicros]
                : [cost, spec.Limit, spec.PeriodMicros, offset];
        }

        var cached = _gcraArguments;
        if (cached is null || cached.Spec != spec)
        {
            cached = _gcraArguments = new GcraArgumentCache(spec, [1, spec.Limit, spec.PeriodMicros]);
        }

        return cached.Values;
    }

    private GcraArgumentCache? _gcraArguments;

    /// <summary>The arguments of the last limit decided by gcra.lua with a cost of 1.</summary>
    private sealed record GcraArgumentCache(StoreLimit Spec, RedisValue[] Values);

    /// <summary>Any policy: Scripts/decide.lua (several limits, every algorithm, all or nothing).</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    internal async ValueTask<StoreDecision> DecideGeneralAsync(StoreRequest request, CancellationToken cancellationToken)
    {
        var limits = request.Limits;
        var keys = new RedisKey[limits.Length];
        var values = new RedisValue[3 + (limits.Length * 4)];
        values[0] = TimeOffsetMicros;
        values[1] = request.Cost;
        values[2] = request.LeaseId ?? string.Empty;
        if (limits.Length == 1)
        {
            keys[0] = RedisKeys.Key(_prefix, request.Policy, request.Partition);
        }
        else
        {
            var tag = RedisKeys.Tag(request.Partition);
            for (var i = 0; i < limits.Length; i++)
            {
                keys[i] = RedisKeys.Key(_prefix, request.Policy, tag, i, limits.Length);
            }
        }

        for (var i = 0; i < limits.Length; i++)
        {
            values[3 + (i * 4)] = (int)limits[i].Algorithm;
            values[4 + (i * 4)] = limits[i].Limit;
            values[5 + (i * 4)] = limits[i].PeriodMicros;
            values[6 + (i * 4)] = limits[i].TokensPerPeriod;
        }

        // The hot path awaits one task: the script's, bounded by the command timeout (no timer of its own, see WithTimeout).
        var script = LuaScriptFile.Decide;
        var database = _database ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        Task<RedisResult>? call = null;
        RedisResult result;
        try
        {
            call = database.ScriptEvaluateAsync(script.Sha1, keys, values);
            result = await WithTimeout(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            result = await RecoverAsync(ex, call, database, script, keys, values, cancellationToken).ConfigureAwait(false);
        }

        return GeneralDecision(limits, result);
    }

    /// <summary>The decision of one request from decide.lua's reply (also one item of decide_batch.lua's).</summary>
    private static StoreDecision GeneralDecision(StoreLimit[] limits, RedisResult result)
    {
        var items = (RedisResult[]?)result;
        if (items is null || items.Length != 1 + (limits.Length * 4))
        {
            throw new RateLimitStoreException($"The Redis rate-limit script returned {items?.Length ?? 0} values for {limits.Length} limits.");
        }

        var results = new StoreLimitResult[limits.Length];
        for (var i = 0; i < limits.Length; i++)
        {
            var at = 1 + (i * 4);
            results[i] = new StoreLimitResult((long)items[at] == 1, (long)items[at + 1], (long)items[at + 2], (long)items[at + 3]);
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

    /// <summary>Runs a script in one round trip (off the hot path: releases).</summary>
    private async Task<RedisResult> EvaluateAsync(LuaScriptFile script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        var database = _database ?? await ConnectAsync(cancellationToken).ConfigureAwait(false);
        Task<RedisResult>? call = null;
        try
        {
            call = database.ScriptEvaluateAsync(script.Sha1, keys, values);
            return await WithTimeout(call, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            return await RecoverAsync(ex, call, database, script, keys, values, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// After a failed call: NOSCRIPT (the server lost its script cache: restart, failover, SCRIPT FLUSH) sends the
    /// text with EVAL, which caches it again; anything else becomes a <see cref="RateLimitStoreException"/> (or the
    /// caller's cancellation). A call left behind by a timeout still completes later: its fault is observed.
    /// </summary>
    private async Task<RedisResult> RecoverAsync(Exception failure, Task<RedisResult>? call, IDatabase database, LuaScriptFile script, RedisKey[] keys, RedisValue[] values, CancellationToken cancellationToken)
    {
        if (call is not null)
        {
            _ = Observe(call);
        }

        if (!EmbeddedLuaScript.IsNoScript(failure))
        {
            throw Translate(failure, cancellationToken);
        }

        Interlocked.Increment(ref _scriptReloads);
        Task<RedisResult>? retry = null;
        try
        {
            retry = database.ScriptEvaluateAsync(script.Text, keys, values);
            return await WithTimeout(retry, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            if (retry is not null)
            {
                _ = Observe(retry);
            }

            throw Translate(ex, cancellationToken);
        }
    }

    /// <summary>Connects (or waits for the connection) within the command timeout, and remembers the database.</summary>
    private async Task<IDatabase> ConnectAsync(CancellationToken cancellationToken)
    {
        try
        {
            var database = await DatabaseAsync().WaitAsync(_timeout, cancellationToken).ConfigureAwait(false);
            _database = database;
            return database;
        }
        catch (Exception ex)
        {
            throw Translate(ex, cancellationToken);
        }
    }

    /// <summary>The call, bounded by the command timeout and the caller's token.</summary>
    private Task<RedisResult> WithTimeout(Task<RedisResult> call, CancellationToken cancellationToken) =>
        call.IsCompleted ? call
        : cancellationToken.CanBeCanceled ? call.WaitAsync(_timeout, cancellationToken)
        : call.WaitAsync(_timeouts.Token);

    private Exception Translate(Exception ex, CancellationToken cancellationToken) => ex switch
    {
        OperationCanceledException when cancellationToken.IsCancellationRequested => ex,
        OperationCanceledException or TimeoutException => new RateLimitStoreException($"Redis did not answer within {_timeout.TotalMilliseconds:0} ms.", ex),
        RedisException => new RateLimitStoreException("Redis could not run the rate-limit script: " + ex.GetType().Name + ".", ex),
        _ => ex,
    };

    /// <summary>A timed-out call still completes later; observe its fault so it is not reported as unobserved.</summary>
    private static Task<T> Observe<T>(Task<T> task)
    {
        _ = task.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return task;
    }
}
