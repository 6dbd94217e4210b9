using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Strata.Jobs.Backends;
using Xunit.Sdk;

namespace Strata.Jobs.Testing;

/// <summary>A started generic host with the job queue, and helpers to wait for a job's state. Made by <see cref="JobBackendTestBase.StartHostAsync"/>.</summary>
public sealed class TestJobsHost : IAsyncDisposable
{
    private static readonly TimeSpan WaitLimit = TimeSpan.FromSeconds(30);
    private bool _stopped;

    internal TestJobsHost(IHost host, JobProbe probe)
    {
        Host = host;
        Probe = probe;
    }

    /// <summary>The host.</summary>
    public IHost Host { get; }

    /// <summary>What this host's handlers saw.</summary>
    public JobProbe Probe { get; }

    /// <summary>The host's services.</summary>
    public IServiceProvider Services => Host.Services;

    /// <summary>The host's job queue.</summary>
    public IJobQueue Queue => Host.Services.GetRequiredService<IJobQueue>();

    /// <summary>The host's job status store.</summary>
    public IJobStore Store => Host.Services.GetRequiredService<IJobStore>();

    /// <summary>The backend under test, as the host resolved it.</summary>
    public IJobBackend Backend => Host.Services.GetRequiredService<IJobBackend>();

    /// <summary>Polls the store until <paramref name="condition"/> holds; fails the test with the last status after 30 s.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="condition">What to wait for.</param>
    /// <param name="description">The condition in words, for the failure message.</param>
    /// <returns>The status that met the condition.</returns>
    public async Task<JobInfo> WaitForAsync(string jobId, Func<JobInfo, bool> condition, string description)
    {
        ArgumentNullException.ThrowIfNull(condition);
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

        throw new XunitException($"Job {jobId} did not become {description} within {WaitLimit.TotalSeconds} s; last state {last?.State.ToString() ?? "(none)"}, error '{last?.Error}'.");
    }

    /// <summary>Polls the store until the job is in <paramref name="state"/>.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="state">The state to wait for.</param>
    /// <returns>The status.</returns>
    public Task<JobInfo> WaitForStateAsync(string jobId, JobState state) =>
        WaitForAsync(jobId, info => info.State == state, state.ToString());

    /// <summary>Polls the store until the job has finished, whichever way.</summary>
    /// <param name="jobId">The job.</param>
    /// <returns>The status.</returns>
    public Task<JobInfo> WaitForFinishAsync(string jobId) =>
        WaitForAsync(jobId, info => info.IsFinished, "finished");

    /// <summary>Stops the host (once): the workers drain and give back what they hold.</summary>
    /// <returns>A task that completes when stopped.</returns>
    public async Task StopAsync()
    {
        if (!_stopped)
        {
            _stopped = true;
            await Host.StopAsync();
        }
    }

    /// <summary>Releases the handlers held by the probe, stops the host and disposes it.</summary>
    /// <returns>A task that completes when disposed.</returns>
    public async ValueTask DisposeAsync()
    {
        Probe.HangRelease.TrySetResult();
        Probe.Gate.TrySetResult();
        await StopAsync();
        Host.Dispose();
    }
}
