namespace Strata.Dashboard.BrowserTests.Infrastructure;

/// <summary>
/// The browser tests' own job: <see cref="Mode"/> says what its handler does (<see cref="ProbeJobHandler"/>);
/// <see cref="Text"/> is free text, hostile in the escaping test, and the error message of a failing probe.
/// </summary>
public sealed record ProbeJob(ProbeMode Mode, string Text);

/// <summary>What a <see cref="ProbeJob"/> does when it runs.</summary>
public enum ProbeMode
{
    /// <summary>Succeeds at once.</summary>
    Succeed,

    /// <summary>Fails for good with <see cref="ProbeJob.Text"/> as its error (dead after one attempt).</summary>
    Fail,

    /// <summary>Fails its first run for good, succeeds when run again (a dead job that a requeue fixes).</summary>
    FailOnce,

    /// <summary>Runs until it is cancelled.</summary>
    RunUntilCancelled,
}
