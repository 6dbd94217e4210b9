using System.Text.Json.Serialization.Metadata;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Strata.Jobs;
using Strata.Sample.Api.Tests.Infrastructure;
using Strata.Sample.Data;
using Strata.Sample.Processing;

namespace Strata.Sample.Api.Tests;

public sealed class ProcessingTests(SampleApiFactory factory) : IClassFixture<SampleApiFactory>
{
    [Fact]
    public async Task A_redelivered_job_is_absorbed_one_analysis_per_job_id_and_the_same_result()
    {
        factory.StartServer();
        var jobId = $"default.{Guid.NewGuid():N}";
        var first = new RecordingJobContext(jobId, "key_owner");
        var second = new RecordingJobContext(jobId, "key_owner");

        await RunHandlerAsync(new AnalyzeDocument("A delivery that happens twice is still one analysis."), first);
        await RunHandlerAsync(new AnalyzeDocument("A delivery that happens twice is still one analysis."), second);

        var firstResult = first.Result.Should().BeOfType<AnalysisResult>().Subject;
        var secondResult = second.Result.Should().BeOfType<AnalysisResult>().Subject;
        secondResult.AnalysisId.Should().Be(firstResult.AnalysisId);
        first.Progress.Should().EndWith(100).And.BeInAscendingOrder();
        using var scope = factory.Services.CreateScope();
        var db = scope.ServiceProvider.GetRequiredService<SampleDbContext>();
        (await db.Analyses.CountAsync(a => a.JobId == jobId)).Should().Be(1);
        (await db.Analyses.SingleAsync(a => a.JobId == jobId)).OwnerKeyId.Should().Be("key_owner");
    }

    [Fact]
    public async Task A_job_with_no_text_fails_for_good_without_a_retry()
    {
        factory.StartServer();
        var context = new RecordingJobContext($"default.{Guid.NewGuid():N}", "key_owner");

        var run = () => RunHandlerAsync(new AnalyzeDocument("  "), context);

        (await run.Should().ThrowAsync<JobFailedException>()).Which.Retryable.Should().BeFalse();
    }

    [Theory]
    [InlineData(null, SampleRole.All)]
    [InlineData("all", SampleRole.All)]
    [InlineData("API", SampleRole.Api)]
    [InlineData(" worker ", SampleRole.Worker)]
    public void The_role_is_read_from_Strata_Role(string? value, SampleRole expected)
        => Configuration(("Strata:Role", value)).GetSampleRole().Should().Be(expected);

    [Fact]
    public void An_unknown_role_stops_the_host_with_a_message_naming_the_setting()
    {
        var read = () => Configuration(("Strata:Role", "gateway")).GetSampleRole();

        read.Should().Throw<InvalidOperationException>().WithMessage("*Strata:Role*gateway*all, api or worker*");
    }

    [Fact]
    public void The_api_and_worker_roles_need_Redis_and_say_so()
    {
        var read = () => Configuration(("Strata:Role", "worker")).GetSampleRedisConnectionString();

        read.Should().Throw<InvalidOperationException>().WithMessage("*ConnectionStrings:Redis*");
        Configuration(("Strata:Role", "all")).GetSampleRedisConnectionString().Should().BeNull();
    }

    private async Task RunHandlerAsync(AnalyzeDocument job, JobContext context)
    {
        using var scope = factory.Services.CreateScope();
        var handler = scope.ServiceProvider.GetRequiredService<IJobHandler<AnalyzeDocument>>();
        await handler.HandleAsync(job, context);
    }

    private static IConfiguration Configuration(params (string Key, string? Value)[] values)
        => new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key, v.Value))).Build();

    /// <summary>The job's side of a handler call, recorded: progress reports and the result.</summary>
    private sealed class RecordingJobContext(string jobId, string owner) : JobContext
    {
        public List<int> Progress { get; } = [];

        public object? Result { get; private set; }

        public override string JobId => jobId;

        public override string JobType => "analyze-document";

        public override string Queue => "default";

        public override int Attempt => 1;

        public override int MaxAttempts => 3;

        public override string? Owner => owner;

        public override CancellationToken CancellationToken => CancellationToken.None;

        public override ValueTask ReportProgressAsync(int percent, string? message = null)
        {
            lock (Progress)
            {
                Progress.Add(percent);
            }

            return ValueTask.CompletedTask;
        }

        public override void SetResult<TResult>(TResult result, JsonTypeInfo<TResult> typeInfo) => Result = result;

        public override void SetResult<TResult>(TResult result) => Result = result;
    }
}
