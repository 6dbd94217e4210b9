using System.Globalization;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// Enqueues sent together and the stream entry format, on a redis-server of this class's own (its command statistics
/// count only what these tests send; the tests of one class run one after another).
/// </summary>
public sealed class RedisBatchingTests(RedisBatchingTests.OwnServer own) : JobBackendTestBase, IClassFixture<RedisBatchingTests.OwnServer>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();

    private IDatabase Db => own.Connection.GetDatabase();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(own.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = _prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(500);
        });
    }

    [Fact]
    public async Task Concurrent_enqueues_go_out_in_few_script_calls_and_each_caller_gets_its_own_outcome()
    {
        var host = await StartHostAsync(o => o.RunWorkers = false);
        await own.Server.ExecuteAsync("CONFIG", "RESETSTAT");

        // 100 plain jobs, 50 calls with one shared idempotency key, and 25 keys given twice: all in flight at once.
        var plain = Enumerable.Range(0, 100).Select(i => host.Queue.EnqueueAsync(new EchoJob($"p{i}")).AsTask()).ToArray();
        var shared = Enumerable.Range(0, 50).Select(i => host.Queue.EnqueueAsync(new EchoJob($"s{i}"), new JobOptions { IdempotencyKey = "shared" }).AsTask()).ToArray();
        var pairs = Enumerable.Range(0, 50).Select(i => host.Queue.EnqueueAsync(new EchoJob($"k{i}"), new JobOptions { IdempotencyKey = $"k{i % 25}" }).AsTask()).ToArray();
        var plainIds = await Task.WhenAll(plain);
        var sharedIds = await Task.WhenAll(shared);
        var pairIds = await Task.WhenAll(pairs);

        var scriptCalls = await CommandCallsAsync("evalsha") + await CommandCallsAsync("eval");
        scriptCalls.Should().BeLessThan(100, "200 enqueues in flight together share script calls");
        plainIds.Should().OnlyHaveUniqueItems();
        sharedIds.Distinct().Should().ContainSingle("every call with the same key gets the first job's id");
        for (var k = 0; k < 25; k++)
        {
            pairIds[k].Should().Be(pairIds[k + 25], $"key k{k} was given twice");
        }

        var added = plainIds.Concat(sharedIds.Take(1)).Concat(pairIds.Take(25)).ToList();
        added.Should().OnlyHaveUniqueItems();
        (await Db.StreamLengthAsync(_prefix + "{default}:stream")).Should().Be(added.Count, "a duplicate adds no entry");
        foreach (var id in added)
        {
            var info = await host.Store.GetAsync(id);
            info!.State.Should().Be(JobState.Queued);
            info.Attempt.Should().Be(0);
            info.Redeliveries.Should().Be(0);
        }

        var worker = await StartHostAsync();
        foreach (var id in added)
        {
            await worker.WaitForStateAsync(id, JobState.Succeeded);
        }

        worker.Probe.Runs.Count(r => r.StartsWith('s')).Should().Be(1, "the shared key's job ran once");
    }

    [Fact]
    public async Task Stream_entries_carry_job_id_and_attempt_and_an_entry_with_the_envelope_alone_still_runs()
    {
        var producer = await StartHostAsync(o => o.RunWorkers = false);
        var stream = _prefix + "{default}:stream";
        var id = await producer.Queue.EnqueueAsync(new EchoJob("older entry"));

        var entry = (await Db.StreamRangeAsync(stream)).Should().ContainSingle().Subject;
        entry["i"].ToString().Should().Be(id);
        entry["a"].ToString().Should().Be("1");

        // As an older version wrote it: the envelope and nothing else.
        await Db.StreamDeleteAsync(stream, [entry.Id]);
        await Db.StreamAddAsync(stream, "e", entry["e"]);
        var worker = await StartHostAsync();
        var info = await worker.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(1);
        worker.Probe.Runs.Should().Equal("older entry");
        (await Db.StreamLengthAsync(stream)).Should().Be(0);
    }

    [Fact]
    public async Task A_retried_job_comes_back_through_the_stream_with_its_next_attempt_number()
    {
        var host = await StartHostAsync();

        var id = await host.Queue.EnqueueAsync(new FlakyJob("twice", FailTimes: 2), new JobOptions { MaxAttempts = 3 });
        var info = await host.WaitForStateAsync(id, JobState.Succeeded);

        info.Attempt.Should().Be(3, "promote.lua writes the attempt beside the envelope and read_start.lua records it");
        info.Error.Should().BeNull();
    }

    private async Task<long> CommandCallsAsync(string command)
    {
        var stats = (await own.Server.ExecuteAsync("INFO", "commandstats")).ToString();
        var line = stats.Split('\n').Select(l => l.Trim()).FirstOrDefault(l => l.StartsWith($"cmdstat_{command}:", StringComparison.Ordinal));
        if (line is null)
        {
            return 0;
        }

        var calls = line.Split(':', 2)[1].Split(',').Single(p => p.StartsWith("calls=", StringComparison.Ordinal));
        return long.Parse(calls["calls=".Length..], CultureInfo.InvariantCulture);
    }

    /// <summary>A redis-server for this class alone, with an admin connection for its statistics.</summary>
    public sealed class OwnServer : IAsyncLifetime
    {
        private RedisServer? _server;
        private ConnectionMultiplexer? _connection;

        public IConnectionMultiplexer Connection => _connection!;

        public IServer Server => _connection!.GetServer(_server!.Endpoint);

        public async Task InitializeAsync()
        {
            _server = await RedisServer.StartAsync();
            _connection = await _server.ConnectAsync(o => o.AllowAdmin = true);
        }

        public async Task DisposeAsync()
        {
            if (_connection is not null)
            {
                await _connection.DisposeAsync();
            }

            if (_server is not null)
            {
                await _server.DisposeAsync();
            }
        }
    }
}
