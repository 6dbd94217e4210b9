using System.Data.Common;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;

namespace Strata.Sample.Data.Tests;

/// <summary>
/// The repository's behaviour, run on a real database per provider (a SQLite file; a PostgreSQL cluster).
/// Each test gets a fresh, migrated database.
/// </summary>
public abstract class AnalysisRepositoryContract
{
    /// <summary>Creates a new empty database and returns the provider name and connection string for it.</summary>
    protected abstract Task<(string Provider, string ConnectionString)> CreateDatabaseAsync();

    /// <summary>Adds an interceptor to the provider-specific context of <paramref name="services"/>.</summary>
    protected abstract void AddInterceptor(IServiceCollection services, IInterceptor interceptor);

    protected static NewAnalysis NewAnalysis(string? jobId = null, string owner = "key_1", string text = "The service is fast and reliable.") => new(
        owner, text, jobId, "The service is fast.", ["service", "fast", "reliable"], "positive", 0.75, 7);

    private async Task<(TestHost Host, string Provider, string ConnectionString)> StartAsync(Action<IServiceCollection>? configure = null)
    {
        var (provider, connectionString) = await CreateDatabaseAsync();
        var host = TestHost.Create(provider, connectionString, configure);
        await host.Services.MigrateSampleDatabaseAsync();
        return (host, provider, connectionString);
    }

    [Fact]
    public async Task Save_without_a_job_stores_the_document_and_the_analysis_at_the_time_of_the_TimeProvider()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;

        var stored = await host.Repository.SaveAsync(NewAnalysis());

        stored.Id.Should().NotBeEmpty();
        stored.DocumentId.Should().NotBeEmpty();
        stored.JobId.Should().BeNull();
        stored.CreatedAt.Should().Be(host.Time.GetUtcNow());
        await using var scope = host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        var document = await db.Documents.SingleAsync();
        document.Id.Should().Be(stored.DocumentId);
        document.Text.Should().Be("The service is fast and reliable.");
        document.OwnerKeyId.Should().Be("key_1");
        document.TokenCount.Should().Be(7);
        document.CreatedAt.Should().Be(host.Time.GetUtcNow());
        var analysis = await db.Analyses.SingleAsync();
        analysis.Id.Should().Be(stored.Id);
        analysis.DocumentId.Should().Be(document.Id);
        analysis.Keywords.Should().Equal("service", "fast", "reliable");
        analysis.Sentiment.Should().Be("positive");
        analysis.SentimentScore.Should().Be(0.75);
        analysis.CreatedAt.Should().Be(host.Time.GetUtcNow());
    }

    [Fact]
    public async Task Analyses_without_a_job_are_not_constrained_by_the_unique_job_index()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;

        var first = await host.Repository.SaveAsync(NewAnalysis());
        var second = await host.Repository.SaveAsync(NewAnalysis());

        second.Id.Should().NotBe(first.Id);
        (await host.CountAsync()).Should().Be((2, 2));
    }

    [Fact]
    public async Task Find_by_job_reads_back_every_field_and_answers_null_for_an_unknown_job()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;
        var input = NewAnalysis("job-42") with { Keywords = ["a \"quoted\" word", "ünïcode", "comma, inside"] };

        var saved = await host.Repository.SaveAsync(input);
        var found = await host.Repository.FindByJobAsync("job-42");

        found.Should().NotBeNull();
        found!.Should().BeEquivalentTo(saved);
        found.Keywords.Should().Equal("a \"quoted\" word", "ünïcode", "comma, inside");
        found.OwnerKeyId.Should().Be("key_1");
        found.JobId.Should().Be("job-42");
        (await host.Repository.FindByJobAsync("job-43")).Should().BeNull();
    }

    [Fact]
    public async Task The_time_returned_by_save_is_the_time_read_back_to_the_microsecond()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;
        host.Time.Advance(TimeSpan.FromTicks(1_234_567)); // 123.4567 ms: finer than PostgreSQL's microseconds

        var saved = await host.Repository.SaveAsync(NewAnalysis("job-time"));
        var found = await host.Repository.FindByJobAsync("job-time");

        found!.CreatedAt.Should().Be(saved.CreatedAt);
        saved.CreatedAt.Should().Be(host.Time.GetUtcNow().AddTicks(-7));
    }

    [Fact]
    public async Task The_same_job_saved_twice_returns_the_first_analysis_and_writes_nothing()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;

        var first = await host.Repository.SaveAsync(NewAnalysis("job-1"));
        host.Time.Advance(TimeSpan.FromMinutes(5));
        var second = await host.Repository.SaveAsync(NewAnalysis("job-1", text: "A redelivered job with another text."));

        second.Should().BeEquivalentTo(first);
        (await host.CountAsync()).Should().Be((1, 1));
    }

    [Fact]
    public async Task Concurrent_saves_of_one_job_from_two_processes_store_one_analysis_and_all_get_it()
    {
        var (a, provider, connectionString) = await StartAsync();
        await using var _a = a;
        await using var b = TestHost.Create(provider, connectionString);

        var saves = Enumerable.Range(0, 12)
            .Select(i => Task.Run(() => (i % 2 == 0 ? a : b).Repository.SaveAsync(NewAnalysis("job-race"))))
            .ToArray();
        var results = await Task.WhenAll(saves);

        results.Select(r => r.Id).Distinct().Should().ContainSingle("every caller gets the one stored analysis");
        (await a.CountAsync()).Should().Be((1, 1), "the losers' documents were rolled back with their analyses");
    }

    [Fact]
    public async Task An_insert_that_loses_the_race_on_the_unique_job_index_returns_the_winners_analysis()
    {
        // The other process stores the job right after this process looked it up and found nothing: this process's
        // insert then meets the unique index, and it answers with the row the other process stored.
        var (provider, connectionString) = await CreateDatabaseAsync();
        await using var other = TestHost.Create(provider, connectionString);
        await other.Services.MigrateSampleDatabaseAsync();
        StoredAnalysis? winner = null;
        var interceptor = new AfterJobLookup(() => winner = Task.Run(() => other.Repository.SaveAsync(NewAnalysis("job-7", owner: "key_other"))).GetAwaiter().GetResult());
        await using var host = TestHost.Create(provider, connectionString, services => AddInterceptor(services, interceptor));

        var result = await host.Repository.SaveAsync(NewAnalysis("job-7"));

        interceptor.Fired.Should().BeTrue();
        winner.Should().NotBeNull();
        result.Should().BeEquivalentTo(winner);
        result.OwnerKeyId.Should().Be("key_other");
        (await host.CountAsync()).Should().Be((1, 1), "the losing insert rolled back its document too");
        host.Logs.GetSnapshot().Should().Contain(r => r.Id.Id == 2 && r.Message.Contains("job-7", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Writers_in_two_processes_wait_for_each_other_instead_of_failing()
    {
        var (a, provider, connectionString) = await StartAsync();
        await using var _a = a;
        await using var b = TestHost.Create(provider, connectionString);

        var saves = Enumerable.Range(0, 40)
            .Select(i => Task.Run(() => (i % 2 == 0 ? a : b).Repository.SaveAsync(NewAnalysis($"job-{i}"))))
            .ToArray();
        var results = await Task.WhenAll(saves);

        results.Select(r => r.JobId).Should().OnlyHaveUniqueItems().And.HaveCount(40);
        (await a.CountAsync()).Should().Be((40, 40));
    }

    [Theory]
    [InlineData("", "The text.", "Summary.", "positive", "OwnerKeyId")]
    [InlineData("key_1", "  ", "Summary.", "positive", "Text")]
    [InlineData("key_1", "The text.", "", "positive", "Summary")]
    [InlineData("key_1", "The text.", "Summary.", "", "Sentiment")]
    public async Task Save_with_a_missing_field_throws_naming_it_and_writes_nothing(string owner, string text, string summary, string sentiment, string field)
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;

        var save = () => host.Repository.SaveAsync(new NewAnalysis(owner, text, null, summary, [], sentiment, 0, 1));

        (await save.Should().ThrowAsync<ArgumentException>()).Which.Message.Should().Contain(field);
        (await host.CountAsync()).Should().Be((0, 0));
    }

    [Fact]
    public async Task Save_with_a_bad_job_id_or_count_throws_and_find_rejects_a_blank_job_id()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;

        await FluentActions.Awaiting(() => host.Repository.SaveAsync(NewAnalysis(" "))).Should().ThrowAsync<ArgumentException>().WithMessage("*JobId*");
        await FluentActions.Awaiting(() => host.Repository.SaveAsync(NewAnalysis(new string('j', 129)))).Should().ThrowAsync<ArgumentException>().WithMessage("*JobId*");
        await FluentActions.Awaiting(() => host.Repository.SaveAsync(NewAnalysis() with { TokenCount = -1 })).Should().ThrowAsync<ArgumentException>().WithMessage("*TokenCount*");
        await FluentActions.Awaiting(() => host.Repository.SaveAsync(NewAnalysis() with { SentimentScore = double.NaN })).Should().ThrowAsync<ArgumentException>().WithMessage("*SentimentScore*");
        await FluentActions.Awaiting(() => host.Repository.FindByJobAsync("")).Should().ThrowAsync<ArgumentException>();
        (await host.CountAsync()).Should().Be((0, 0));
    }

    [Fact]
    public async Task A_cancelled_save_writes_nothing()
    {
        var (host, _, _) = await StartAsync();
        await using var _h = host;
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();

        await FluentActions.Awaiting(() => host.Repository.SaveAsync(NewAnalysis(), cancelled.Token)).Should().ThrowAsync<OperationCanceledException>();
        (await host.CountAsync()).Should().Be((0, 0));
    }

    /// <summary>Runs an action once, right after the repository's look-up of a job has read its result.</summary>
    private sealed class AfterJobLookup(Action action) : DbCommandInterceptor
    {
        public bool Fired { get; private set; }

        public override InterceptionResult DataReaderDisposing(DbCommand command, DataReaderDisposingEventData eventData, InterceptionResult result)
        {
            if (!Fired
                && command.CommandText.Contains("FROM \"Analyses\"", StringComparison.Ordinal)
                && command.CommandText.Contains("\"JobId\" =", StringComparison.Ordinal))
            {
                Fired = true;
                action();
            }

            return result;
        }
    }
}
