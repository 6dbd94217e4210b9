using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>
/// The connection model both Redis packages share: the first of factory, ConfigurationOptions, Configuration and
/// ConnectionServiceKey that is set wins, and only then the multiplexer in DI; one start line names where it came from.
/// </summary>
public sealed class ConnectionModelTests(RedisFixture redis) : JobBackendTestBase, IClassFixture<RedisFixture>
{
    private readonly string _prefix = RedisFixture.UniquePrefix();
    private Action<JobsBuilder> _use = _ => { };

    protected override void UseBackend(JobsBuilder builder) => _use(builder);

    [Fact]
    public async Task A_configuration_given_to_UseRedis_wins_over_a_multiplexer_in_di()
    {
        // The multiplexer in DI points at a port nothing listens on: a job only runs if the configuration wins.
        await using var unreachable = await ConnectionMultiplexer.ConnectAsync("127.0.0.1:1,abortConnect=false,connectTimeout=200");
        _use = jobs => jobs.UseRedis(redis.Server.ConnectionString, o => o.KeyPrefix = _prefix);
        var host = await StartHostAsync(services: s => s.AddSingleton<IConnectionMultiplexer>(unreachable).AddLogging(l => l.AddFakeLogging()));

        var id = await host.Queue.EnqueueAsync(new EchoJob("configured"));

        await host.WaitForStateAsync(id, JobState.Succeeded);
        StartLine(host).Should().Be($"Jobs: redis at {redis.Server.Endpoint} (Configuration), prefix {_prefix}; workers starting: concurrency 4, 1 queue(s).");
    }

    [Fact]
    public async Task A_keyed_multiplexer_is_used_when_its_key_is_named()
    {
        _use = jobs => jobs.UseRedis(o =>
        {
            o.ConnectionServiceKey = "jobs";
            o.KeyPrefix = _prefix;
        });
        var host = await StartHostAsync(services: s => s.AddKeyedSingleton<IConnectionMultiplexer>("jobs", redis.Connection).AddLogging(l => l.AddFakeLogging()));

        var id = await host.Queue.EnqueueAsync(new EchoJob("keyed"));

        await host.WaitForStateAsync(id, JobState.Succeeded);
        StartLine(host).Should().StartWith($"Jobs: redis at {redis.Server.Endpoint} (IConnectionMultiplexer from DI (key 'jobs')), prefix {_prefix};");
    }

    [Fact]
    public async Task A_factory_wins_over_everything_and_its_multiplexer_is_not_disposed_with_the_host()
    {
        await using var own = await ConnectionMultiplexer.ConnectAsync(redis.Server.ConnectionString);
        _use = jobs => jobs.UseRedis(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(own);
            o.Configuration = "127.0.0.1:1";   // loses to the factory
            o.KeyPrefix = _prefix;
        });
        var host = await StartHostAsync(services: s => s.AddLogging(l => l.AddFakeLogging()));

        var id = await host.Queue.EnqueueAsync(new EchoJob("factory"));
        await host.WaitForStateAsync(id, JobState.Succeeded);
        StartLine(host).Should().Contain("(ConnectionMultiplexerFactory)");
        await host.DisposeAsync();

        own.IsConnected.Should().BeTrue("a multiplexer the app gave is the app's to dispose");
        (await own.GetDatabase().PingAsync()).Should().BePositive();
    }

    [Fact]
    public async Task A_key_with_no_multiplexer_registered_under_it_stops_the_host_naming_the_key()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddSingleton(redis.Connection);   // an unkeyed one does not stand in for the keyed one
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseRedis(o => o.ConnectionServiceKey = "jobs");
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures
            .Should().Contain(f => f.Contains("RedisJobsOptions.ConnectionServiceKey is 'jobs' but no IConnectionMultiplexer is registered with that key", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Configuration_options_without_an_endpoint_stop_the_host_naming_the_setting()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Services.AddStrataJobs().AddHandler<EchoJob, EchoHandler>().UseRedis(o => o.ConfigurationOptions = new ConfigurationOptions());
        using var host = builder.Build();

        var start = () => host.StartAsync();

        (await start.Should().ThrowAsync<OptionsValidationException>()).Which.Failures
            .Should().Contain(f => f.StartsWith("RedisJobsOptions.ConfigurationOptions names no server", StringComparison.Ordinal));
    }

    private static string StartLine(TestJobsHost host) =>
        host.Services.GetFakeLogCollector().GetSnapshot().Should().ContainSingle(r => r.Id.Name == "WorkersStarting").Which.Message;
}
