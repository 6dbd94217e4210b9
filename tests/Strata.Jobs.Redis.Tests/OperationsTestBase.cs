using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Strata.Jobs.Backends;
using Strata.Jobs.Testing;
using Strata.Testing;

namespace Strata.Jobs.Redis.Tests;

/// <summary>Hosts on the Redis backend for the query and control tests: one key prefix per test, a short poll interval.</summary>
public abstract class OperationsTestBase(RedisFixture redis) : JobBackendTestBase
{
    protected string Prefix { get; } = RedisFixture.UniquePrefix();

    protected IDatabase Db => redis.Connection.GetDatabase();

    protected override void UseBackend(JobsBuilder builder)
    {
        builder.Services.AddSingleton(redis.Connection);
        builder.UseRedis(o =>
        {
            o.KeyPrefix = Prefix;
            o.PollInterval = TimeSpan.FromMilliseconds(300);
        });
    }

    /// <summary>A host that only enqueues and reads (no workers), on the queues named.</summary>
    protected Task<TestJobsHost> StartProducerAsync(params string[] queues) => StartHostAsync(o =>
    {
        o.RunWorkers = false;
        foreach (var queue in queues)
        {
            o.AddQueue(queue);
        }
    });

    /// <summary>Every job matching <paramref name="filter"/>, page by page.</summary>
    protected static async Task<List<JobInfo>> SearchAllAsync(IJobBackend backend, JobFilter filter, int pageSize = 50)
    {
        var all = new List<JobInfo>();
        string? cursor = null;
        do
        {
            var page = await backend.SearchAsync(filter, cursor, pageSize, CancellationToken.None);
            all.AddRange(page.Jobs);
            cursor = page.NextCursor;
        }
        while (cursor is not null);
        return all;
    }

    /// <summary>The keys of the search indexes of <paramref name="queue"/> that exist now.</summary>
    protected async Task<List<string>> IndexKeysAsync(string queue)
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var keys = new List<string>();
        await foreach (var key in server.KeysAsync(pattern: $"{Prefix}{{{queue}}}:ix:*"))
        {
            keys.Add(key.ToString());
        }

        return keys;
    }

    /// <summary>Every key of this test's prefix with its type, time to live and contents, for a failure message.</summary>
    protected async Task<string> DescribeKeysAsync()
    {
        var server = redis.Connection.GetServer(redis.Connection.GetEndPoints()[0]);
        var text = new System.Text.StringBuilder();
        await foreach (var key in server.KeysAsync(pattern: $"{Prefix}*"))
        {
            var type = await Db.KeyTypeAsync(key);
            var ttl = await Db.ExecuteAsync("PTTL", key.ToString());
            text.Append(key).Append(" (").Append(type).Append(", pttl ").Append(ttl).Append("): ");
            switch (type)
            {
                case RedisType.Hash:
                    text.AppendJoin(", ", (await Db.HashGetAllAsync(key)).Where(e => e.Name != "env" && e.Name != "enq").Select(e => $"{e.Name}={e.Value}"));
                    break;
                case RedisType.SortedSet:
                    text.AppendJoin(", ", (await Db.SortedSetRangeByRankWithScoresAsync(key)).Select(e => $"{e.Element.ToString().Replace('\0', '|')} @{e.Score}"));
                    break;
                default:
                    break;
            }

            text.AppendLine();
        }

        return text.ToString();
    }
}
