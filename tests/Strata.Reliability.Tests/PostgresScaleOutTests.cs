using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Npgsql;
using Strata.Reliability.Tests.Infrastructure;
using Strata.Testing;
using Xunit.Abstractions;

namespace Strata.Reliability.Tests;

/// <summary>
/// The scaled-out shape on PostgreSQL: one PostgreSQL cluster (Strata.Testing's <see cref="PostgresCluster"/>), one
/// redis-server, two <c>--role api</c> and two <c>--role worker</c> processes with <c>Database__Provider=Postgres</c>,
/// all four started at the same moment on an empty database. A closed-loop load over both api nodes for
/// <c>STRATA_PG_SECONDS</c> (30 by default), one worker SIGKILLed at half-time. Asserts answers and rows, never speed.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class PostgresScaleOutTests(ITestOutputHelper output)
{
    /// <summary>A plan whose limits the load never reaches, so every 429 would be a wrong answer.</summary>
    private static readonly Dictionary<string, string> LoadPlan = new()
    {
        ["RateLimiting__Policies__per-key__Tiers__soak"] = "10000000",
        ["RateLimiting__Policies__tokens__Tiers__soak"] = "1000000000",
    };

    private const string SecretPrefix = "sk_sample_";
    private const int SecretLength = 43;

    private static TimeSpan Duration => TimeSpan.FromSeconds(Setting("STRATA_PG_SECONDS", 30));

    private static int Loops => Setting("STRATA_PG_LOOPS", 12);

    [Fact]
    public async Task Two_api_and_two_worker_processes_on_postgres_migrate_together_and_under_load_with_a_worker_SIGKILLed_lose_nothing()
    {
        await using var postgres = await PostgresCluster.StartAsync();
        var database = await postgres.CreateDatabaseAsync("scaleout");
        await using var redis = await RedisServer.StartAsync();
        await using var deployment = SampleDeployment.OnPostgres(database, redis.ConnectionString, LoadPlan);

        // All four processes at the same moment against the empty database: each migrates it on start.
        var started = await deployment.StartTogetherAsync("api", "api", "worker", "worker");
        SampleProcess[] apis = [started[0], started[1]];
        SampleProcess[] workers = [started[2], started[3]];
        await AssertMigratedOnceAsync(database, started, deployment);

        var key = await deployment.CreateKeyAsync("pg-scaleout", "analyze,jobs:write", plan: "soak");
        await AssertOnlyHashesAtRestAsync(database, key);

        var run = await LoadAsync(apis, key, workers, database);
        var doomed = run.Killed;
        var because = run + "\n" + deployment.Outputs().Replace(key, "<key>", StringComparison.Ordinal);
        output.WriteLine($"postgres {postgres.Version}, 2 api + 2 workers, {Loops} loops, {Duration.TotalSeconds:0} s: {run}");

        // Answers: every request answered, no 5xx, no 429 (the plan allows the load), nothing but 200/202.
        doomed.HasExited.Should().BeTrue("a worker was killed at half-time");
        run.FinishedByKilled.Should().BeGreaterThan(0, "the killed worker was taking jobs under load: " + because);
        run.Stats.Requests.Should().BeGreaterThan(Loops * 4, "the loops ran");
        run.Stats.ServerErrors.Should().Be(0, because);
        run.Stats.TransportFailures.Should().Be(0, "every request got an answer: " + because);
        run.Stats.Count(status => status is not (200 or 202)).Should().Be(0, "every request of the mix is valid and within the plan: " + because);
        foreach (var api in apis)
        {
            run.Stats.Count($"submit-job@{api.Name}", 202).Should().BeGreaterThan(0, $"{api.Name} accepted jobs too: " + because);
        }

        // Jobs: every accepted job succeeded, and its result is the one analysis row stored for it.
        run.Accepted.Should().NotBeEmpty(because);
        run.Jobs.Where(job => job.Value.State != "succeeded").Select(job => $"{job.Key}: {job.Value.State}").Take(10)
            .Should().BeEmpty("every accepted job succeeded: " + because);
        // Set differences by hand, a few ids in each message: an equivalence assertion over hundreds of ids that differ
        // costs minutes of formatting.
        var rows = await AnalysisRowsByJobAsync(database);
        var sample = string.Join(", ", rows.Keys.Take(3));
        rows.Where(row => row.Value.Count != 1).Select(row => $"{row.Key} x {row.Value.Count}").Take(10)
            .Should().BeEmpty("a job has exactly one analysis row, even when it ran twice");
        run.Accepted.Where(id => !rows.ContainsKey(id)).Take(10)
            .Should().BeEmpty($"every accepted job has its analysis row ({rows.Count} rows for {run.Accepted.Count} jobs; stored ids look like {sample})");
        rows.Keys.Where(id => !run.Jobs.ContainsKey(id)).Take(10)
            .Should().BeEmpty("only accepted jobs have analysis rows");
        run.Jobs.Where(job => job.Value.AnalysisId != rows[job.Key][0]).Select(job => $"{job.Key}: result {job.Value.AnalysisId}, row {rows[job.Key][0]}").Take(10)
            .Should().BeEmpty("each job's result is the analysis stored for it (a second run returns the first run's row)");

        (await ScalarAsync(database, "SELECT count(*) FROM \"Documents\" d WHERE NOT EXISTS (SELECT 1 FROM \"Analyses\" a WHERE a.\"DocumentId\" = d.\"Id\")"))
            .Should().Be(0L, "a document is stored with its analysis in one transaction, never alone");

        // Stop: SIGTERM to every process still running, each exits 0; no error logged; the key in no output.
        var survivors = deployment.Processes.Where(p => p != doomed).ToList();
        foreach (var process in survivors)
        {
            process.Terminate();
        }

        foreach (var process in survivors)
        {
            (await process.WaitForExitAsync(TimeSpan.FromSeconds(60))).Should().Be(0, $"SIGTERM is a clean stop of {process.Name}:\n" + process.Output.Replace(key, "<key>", StringComparison.Ordinal));
        }

        foreach (var process in deployment.Processes)
        {
            SoakTests.ErrorLines(process.Output).Should().BeEmpty($"{process.Name} logged no error");
            process.Output.Should().NotContain(key, $"the key never reaches {process.Name}'s output");
            process.Output.Should().NotContain(Secret(key), $"no part of the key reaches {process.Name}'s output");
        }
    }

    /// <summary>
    /// The closed-loop mix, loop i on api node i mod 2; a job's poll goes to the other node (state is shared). At half-time
    /// the worker that has finished more jobs so far is SIGKILLed (so the fault hits a worker that is doing work).
    /// </summary>
    private async Task<LoadRun> LoadAsync(SampleProcess[] apis, string key, SampleProcess[] workers, string database)
    {
        var clients = apis.Select(api => SampleApi.Client(api.BaseAddress!, key)).ToArray();
        try
        {
            var stats = new LoadStats();
            var accepted = new ConcurrentQueue<string>();
            var lastJob = new string?[Loops];

            // Warm-up (counted like the load): each api node answers a few analyses and jobs, and those jobs finish,
            // so cold starts (JIT, EF Core's first model and queries) are behind every process before the clock starts.
            var warmup = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                foreach (var (client, api) in clients.Zip(apis))
                {
                    await SampleApi.SendAsync(stats, $"analyze@{api.Name}", client, HttpMethod.Post, "/v1/analyze", SampleApi.Texts[i]);
                    if (await SampleApi.SendAsync(stats, $"submit-job@{api.Name}", client, HttpMethod.Post, "/v1/jobs", SampleApi.Texts[i]) is { Status: HttpStatusCode.Accepted } submitted)
                    {
                        warmup.Add(SampleApi.JobId(submitted.Body));
                    }
                }
            }

            await WaitForJobsAsync(clients[0], warmup, TimeSpan.FromMinutes(2));
            foreach (var id in warmup)
            {
                accepted.Enqueue(id);
            }

            var warmedUp = $"warm-up: {warmup.Count} jobs, finished by worker {string.Join('/', workers.Select(Finished))}";
            using var stopSampling = new CancellationTokenSource();
            var timeline = ClosedLoop.SampleAsync(
                () => $"rows {StoredJobs(database)}, finished {string.Join('/', workers.Select(Finished))}, requests {stats.Requests}",
                TimeSpan.FromSeconds(3),
                stopSampling.Token);
            var halfTime = Task.Delay(Duration / 2).ContinueWith(
                _ =>
                {
                    var busier = workers.OrderByDescending(Finished).First();
                    busier.Kill();
                    return (Killed: busier, FinishedAtKill: workers.Select(w => $"{w.Name} {Finished(w)}").ToList());
                },
                TaskScheduler.Default);
            var elapsed = await ClosedLoop.RunAsync(Loops, Duration, async (loop, iteration) =>
            {
                var node = loop % apis.Length;
                var client = clients[node];
                var name = apis[node].Name;
                var text = SampleApi.Texts[(loop + iteration) % SampleApi.Texts.Length];
                switch (iteration % 4)
                {
                    case 0:
                        await SampleApi.SendAsync(stats, $"analyze@{name}", client, HttpMethod.Post, "/v1/analyze", text);
                        break;
                    case 1:
                        if (await SampleApi.SendAsync(stats, $"submit-job@{name}", client, HttpMethod.Post, "/v1/jobs", text) is { Status: HttpStatusCode.Accepted } submitted)
                        {
                            var id = SampleApi.JobId(submitted.Body);
                            accepted.Enqueue(id);
                            lastJob[loop] = id;
                        }

                        break;
                    case 2:
                        var other = (node + 1) % apis.Length;
                        await SampleApi.SendAsync(stats, $"poll-job@{apis[other].Name}", clients[other], HttpMethod.Get, $"/v1/jobs/{lastJob[loop] ?? "default.unknown"}");
                        break;
                    default:
                        await SampleApi.SendAsync(stats, $"health-ready@{name}", client, HttpMethod.Get, "/health/ready");
                        break;
                }
            });
            var (killed, finishedAtKill) = await halfTime;
            await stopSampling.CancelAsync();
            output.WriteLine(warmedUp);
            output.WriteLine("timeline: " + string.Join("; ", (await timeline).Select(sample => $"{sample.At.TotalSeconds:0}s {sample.Value}")));

            // The killed worker's jobs come back when their lease (30 s) runs out: wait generously.
            var jobs = await WaitForJobsAsync(clients[0], accepted, TimeSpan.FromMinutes(3));
            return new LoadRun(stats, elapsed, [.. accepted.Distinct(StringComparer.Ordinal)], jobs, killed, Finished(killed), finishedAtKill);
        }
        finally
        {
            foreach (var client in clients)
            {
                client.Dispose();
            }
        }
    }

    /// <summary>Analysis rows stored for jobs so far (read while the load runs, for the timeline).</summary>
    private static long StoredJobs(string database)
    {
        using var connection = new NpgsqlConnection(database);
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*) FROM \"Analyses\" WHERE \"JobId\" IS NOT NULL";
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>Jobs a worker has logged as analyzed so far.</summary>
    private static int Finished(SampleProcess worker)
        => worker.Output.Split('\n').Count(line => line.Contains(" analyzed: analysis ", StringComparison.Ordinal));

    /// <summary>Polls every job until it is finished (or the deadline passes): state, redeliveries and the result's analysis id.</summary>
    private static async Task<Dictionary<string, JobOutcome>> WaitForJobsAsync(HttpClient client, IEnumerable<string> ids, TimeSpan timeout)
    {
        var jobs = ids.Distinct(StringComparer.Ordinal).ToDictionary(id => id, _ => new JobOutcome("unknown", 0, null), StringComparer.Ordinal);
        using var deadline = new CancellationTokenSource(timeout);
        while (!deadline.IsCancellationRequested)
        {
            var pending = jobs.Where(job => job.Value.State is not ("succeeded" or "dead" or "cancelled")).Select(job => job.Key).ToList();
            if (pending.Count == 0)
            {
                break;
            }

            foreach (var id in pending)
            {
                using var response = await client.GetAsync(new Uri($"/v1/jobs/{id}", UriKind.Relative));
                if (response.StatusCode != HttpStatusCode.OK)
                {
                    jobs[id] = new JobOutcome($"HTTP {(int)response.StatusCode}", 0, null);
                    continue;
                }

                using var status = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                var root = status.RootElement;
                Guid? analysisId = root.TryGetProperty("result", out var result) && result.ValueKind == JsonValueKind.Object
                    ? result.GetProperty("analysisId").GetGuid()
                    : null;
                jobs[id] = new JobOutcome(root.GetProperty("state").GetString()!, root.GetProperty("redeliveries").GetInt32(), analysisId);
            }

            await Task.Delay(250);
        }

        return jobs;
    }

    /// <summary>The migrations ran once in all: one history row per migration, and every process saw the schema up to date.</summary>
    private static async Task AssertMigratedOnceAsync(string database, IReadOnlyList<SampleProcess> processes, SampleDeployment deployment)
    {
        var applied = (long)(await ScalarAsync(database, "SELECT count(*) FROM \"__EFMigrationsHistory\""))!;
        var distinct = (long)(await ScalarAsync(database, "SELECT count(DISTINCT \"MigrationId\") FROM \"__EFMigrationsHistory\""))!;
        applied.Should().BeGreaterThan(0).And.Be(distinct, "each migration is recorded once");
        processes.Count(p => p.Output.Contains(") is migrated", StringComparison.Ordinal))
            .Should().BeGreaterThan(0, "the database was empty, so some process applied the migrations:\n" + deployment.Outputs());
        processes.Should().AllSatisfy(p => p.Output.Should().ContainAny([") is migrated", ") is up to date"], $"{p.Name} finished its migration step"));
    }

    /// <summary>The key table holds the key's SHA-256 and no form of the secret in any column.</summary>
    private static async Task AssertOnlyHashesAtRestAsync(string database, string key)
    {
        var secret = Secret(key);
        var rows = new List<Dictionary<string, string>>();
        await using (var connection = new NpgsqlConnection(database))
        {
            await connection.OpenAsync();
            await using var command = connection.CreateCommand();
            command.CommandText = "SELECT * FROM \"StrataApiKeys\"";
            await using var reader = await command.ExecuteReaderAsync();
            while (await reader.ReadAsync())
            {
                var row = new Dictionary<string, string>(StringComparer.Ordinal);
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    row[reader.GetName(i)] = reader.IsDBNull(i) ? string.Empty : Convert.ToString(reader.GetValue(i), CultureInfo.InvariantCulture)!;
                }

                rows.Add(row);
            }
        }

        rows.Should().ContainSingle("one key was created");
        rows[0]["Hash"].Should().Be(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key))), "the table stores the key's SHA-256 (the sample sets no pepper)");

        // Any 12 characters in a row of the key's random part (secret and checksum) would be a leak.
        var random = key[SecretPrefix.Length..];
        // (A failure names where in the key the piece starts, never the piece: even a test key stays out of messages.)
        foreach (var (column, value) in rows[0])
        {
            value.Contains(secret, StringComparison.Ordinal).Should().BeFalse($"column {column} holds no secret");
            Enumerable.Range(0, random.Length - 11)
                .Where(i => value.Contains(random.Substring(i, 12), StringComparison.Ordinal))
                .Select(i => $"12 characters from offset {SecretPrefix.Length + i} of the key")
                .Should().BeEmpty($"column {column} holds no part of the secret");
        }
    }

    private static async Task<Dictionary<string, List<Guid>>> AnalysisRowsByJobAsync(string database)
    {
        var rows = new Dictionary<string, List<Guid>>(StringComparer.Ordinal);
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT \"JobId\", \"Id\" FROM \"Analyses\" WHERE \"JobId\" IS NOT NULL";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var jobId = reader.GetString(0);
            if (!rows.TryGetValue(jobId, out var ids))
            {
                rows[jobId] = ids = [];
            }

            ids.Add(reader.GetGuid(1));
        }

        return rows;
    }

    private static async Task<object?> ScalarAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(database);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return await command.ExecuteScalarAsync();
    }

    /// <summary>The secret part of a key: the 43 random characters after the prefix (the checksum follows).</summary>
    private static string Secret(string key) => key.Substring(SecretPrefix.Length, SecretLength);

    private static int Setting(string name, int fallback)
        => int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;

    private sealed record JobOutcome(string State, int Redeliveries, Guid? AnalysisId);

    private sealed record LoadRun(
        LoadStats Stats,
        TimeSpan Elapsed,
        List<string> Accepted,
        Dictionary<string, JobOutcome> Jobs,
        SampleProcess Killed,
        int FinishedByKilled,
        List<string> FinishedAtKill)
    {
        public override string ToString()
            => $"SIGKILLed {Killed.Name} at half-time (jobs finished by then: {string.Join(", ", FinishedAtKill)}); {Stats}  elapsed {Elapsed.TotalSeconds:0.0} s, {Stats.Requests / Elapsed.TotalSeconds:0} req/s; jobs accepted {Accepted.Count}, "
               + $"succeeded {Jobs.Values.Count(j => j.State == "succeeded")} ({Jobs.Values.Count(j => j.Redeliveries > 0)} redelivered after the SIGKILL), "
               + $"other {string.Join(", ", Jobs.Values.Where(j => j.State != "succeeded").GroupBy(j => j.State).Select(g => $"{g.Key} x {g.Count()}"))}, "
               + $"lost {Accepted.Count - Jobs.Values.Count(j => j.State == "succeeded")}";
    }
}
