using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using Strata.Testing;

namespace Strata.ApiKeys.Tests;

/// <summary>
/// A real redis-server as HybridCache's distributed cache (L2), stopped and started again. The L2 client waits 30 s
/// for a command while the server is gone; every wait below is far shorter, so a lookup that completes did not wait
/// for the L2.
/// </summary>
public sealed class DistributedCacheOutageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task Lookups_skip_a_redis_L2_that_is_down_with_one_warning_and_use_it_again_once_it_is_back()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync(o =>
        {
            o.AsyncTimeout = 30_000;
            o.SyncTimeout = 30_000;
        });
        var instance = RedisFixture.UniquePrefix();
        await using var app = await TestApp.StartAsync(services: b => b.Services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
            o.InstanceName = instance;
        }));

        var first = await app.CreateKeyAsync("jobs:write");
        (await app.GetAsync("/me", first.Key)).StatusCode.Should().Be(HttpStatusCode.OK);
        // The lookup wrote Redis before it answered.
        var cachedBefore = await L2KeysAsync(server, instance);
        cachedBefore.Should().ContainSingle("the lookup was written to Redis");

        var keys = new[] { await app.CreateKeyAsync("jobs:write"), await app.CreateKeyAsync("jobs:write"), await app.CreateKeyAsync("jobs:write") };

        await server.KillAsync();
        foreach (var key in keys)
        {
            // Never looked up: not in memory. Redis would keep each of these waiting 30 s.
            var response = await PumpAsync(app, app.GetAsync("/me", key.Key));
            response.StatusCode.Should().Be(HttpStatusCode.OK);
        }

        app.Store.FindByHashCalls.Should().Be(4, "each key not in memory was read from the store");
        Events(app, 50).Should().ContainSingle("one warning for the outage, whatever the number of lookups")
            .Which.Level.Should().Be(LogLevel.Warning);
        Events(app, 50).Single().Message.Should().Contain("RedisCache");
        Events(app, 51).Should().BeEmpty();

        // A key change drops the key's cached lookup, in memory and in Redis: it neither waits for nor fails on Redis.
        var duringOutage = await PumpAsync(app, app.CreateKeyAsync("jobs:write"));
        await PumpAsync(app, app.Manager.RevokeAsync(keys[0].Record.Id));
        (await PumpAsync(app, app.GetAsync("/me", keys[0].Key))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        (await PumpAsync(app, app.GetAsync("/me", duringOutage.Key))).StatusCode.Should().Be(HttpStatusCode.OK);
        Events(app, 50).Should().ContainSingle();

        await server.RestartAsync();
        await PumpAsync(app, WaitForAsync(() => Task.FromResult(Events(app, 51).Count > 0)));
        Events(app, 51).Should().ContainSingle().Which.Level.Should().Be(LogLevel.Information);
        Events(app, 50).Should().ContainSingle("the end of the outage logs no second warning");

        // Redis answers again: no clock needs to move for these.
        var after = await app.CreateKeyAsync("jobs:write").WaitAsync(Deadline);
        (await app.GetAsync("/me", after.Key).WaitAsync(Deadline)).StatusCode.Should().Be(HttpStatusCode.OK);
        await WaitForAsync(async () => (await L2KeysAsync(server, instance)).Except(cachedBefore).Any()).WaitAsync(Deadline);
        Events(app, 50).Should().ContainSingle();
    }

    [Fact]
    public async Task A_slow_store_behind_a_healthy_redis_L2_is_waited_for_and_the_L2_stays_in_use()
    {
        await using var server = await RedisServer.StartAsync();
        await using var connection = await server.ConnectAsync();
        var instance = RedisFixture.UniquePrefix();
        await using var app = await TestApp.StartAsync(services: b => b.Services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
            o.InstanceName = instance;
        }));
        var key = await app.CreateKeyAsync("jobs:write");
        var storeEntered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var storeAnswers = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        app.Store.DuringFindByHash = () =>
        {
            storeEntered.TrySetResult();
            return storeAnswers.Task;
        };

        var lookup = app.GetAsync("/me", key.Key);
        await storeEntered.Task.WaitAsync(Deadline);
        // Past the 1 s after which the L2 is probed; the probe finds Redis answering (half a second of real time for
        // a local GET), then past the probe's own 1 s timeout.
        app.Time.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(500);
        app.Time.Advance(TimeSpan.FromSeconds(1.5));
        await Task.Delay(100);

        lookup.IsCompleted.Should().BeFalse("the lookup waits for the store, the only source of the answer");
        storeAnswers.SetResult();
        (await lookup.WaitAsync(Deadline)).StatusCode.Should().Be(HttpStatusCode.OK);

        Events(app, 50).Should().BeEmpty("Redis answered the probe");
        app.Store.FindByHashCalls.Should().Be(1, "the lookup was not repeated without the L2");
        Events(app, 50).Should().BeEmpty("Redis answered the probe");
        await WaitForAsync(async () => (await L2KeysAsync(server, instance)).Count == 1).WaitAsync(Deadline);
    }

    private static IReadOnlyList<Microsoft.Extensions.Logging.Testing.FakeLogRecord> Events(TestApp app, int id)
        => app.Logs.GetSnapshot().Where(r => r.Id.Id == id).ToList();

    private static async Task<IReadOnlyList<string>> L2KeysAsync(RedisServer server, string instance)
    {
        await using var admin = await server.ConnectAsync();
        var keys = new List<string>();
        await foreach (var key in admin.GetServer(server.Endpoint).KeysAsync(pattern: instance + "strata:apikeys:*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            await Task.Delay(20);
        }
    }

    /// <summary>Moves the app's clock on (200 ms every 50 ms) until <paramref name="task"/> completes, within the real <see cref="Deadline"/>.</summary>
    private static async Task<T> PumpAsync<T>(TestApp app, Task<T> task)
    {
        await PumpAsync(app, (Task)task);
        return await task;
    }

    private static async Task PumpAsync(TestApp app, Task task)
    {
        var elapsed = System.Diagnostics.Stopwatch.StartNew();
        while (!task.IsCompleted)
        {
            elapsed.Elapsed.Should().BeLessThan(Deadline, "the lookup must not wait for the L2 client's 30 s timeout");
            app.Time.Advance(TimeSpan.FromMilliseconds(200));
            await Task.WhenAny(task, Task.Delay(50));
        }

        await task;
    }
}
