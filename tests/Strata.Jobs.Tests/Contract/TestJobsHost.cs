using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Strata.Jobs.Tests.Contract;

/// <summary>A started generic host with the job queue, and helpers to wait for a job's state.</summary>
public sealed class TestJobsHost(IHost host, Probe probe) : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private bool _stopped;

    public IHost Host { get; } = host;

    public Probe Probe { get; } = probe;

    public IServiceProvider Services => Host.Services;

    public IJobQueue Queue => Host.Services.GetRequiredService<IJobQueue>();

    public IJobStore Store => Host.Services.GetRequiredService<IJobStore>();

    internal JobQueue Internal => Host.Services.GetRequiredService<JobQueue>();

    /// <summary>Polls the store until <paramref name="condition"/> holds; fails the test with the last status after 30 s.</summary>
    public async Task<JobInfo> WaitForAsync(string jobId, Func<JobInfo, bool> condition, string description)
    {
        using var limit = new CancellationTokenSource(WaitLimit);
        JobInfo? last = null;
        while (!limit.IsCancellationRequested)
        {
            last = await Store.GetAsync(jobId);
            if (last is not null && condition(last))
            {
                return last;
            }

            await Task.Delay(20);
        }

        throw new Xunit.Sdk.XunitException($"Job {jobId} did not become {description} within {WaitLimit.TotalSeconds} s; last state {last?.State.ToString() ?? "(none)"}, error '{last?.Error}'.");
    }

    public Task<JobInfo> WaitForStateAsync(string jobId, JobState state) =>
        WaitForAsync(jobId, info => info.State == state, state.ToString());

    public Task<JobInfo> WaitForFinishAsync(string jobId) =>
        WaitForAsync(jobId, info => info.IsFinished, "finished");

    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Host.StopAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        Probe.HangRelease.TrySetResult();
        Probe.Gate.TrySetResult();
        await StopAsync();
        Host.Dispose();
    }
}
