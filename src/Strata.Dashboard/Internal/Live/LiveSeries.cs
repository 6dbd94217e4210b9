namespace Strata.Dashboard.Internal.Live;

/// <summary>The series the overview's charts draw, one counter each per bucket of the ring.</summary>
internal static class LiveSeries
{
    /// <summary>Jobs whose handler completed ("strata.jobs.succeeded").</summary>
    public const int JobsSucceeded = 0;

    /// <summary>Attempts that failed ("strata.jobs.failed"): a job retried three times counts three.</summary>
    public const int JobsFailed = 1;

    /// <summary>Rate-limit decisions of any result ("strata.ratelimiting.decisions").</summary>
    public const int Decisions = 2;

    /// <summary>Decisions whose result is "rejected" (shadow-mode would-denies are admitted, so not counted).</summary>
    public const int Denials = 3;

    /// <summary>How many series there are.</summary>
    public const int Count = 4;

    /// <summary>The series' names in the JSON and in the page, by index.</summary>
    public static readonly string[] Names = ["jobsSucceeded", "jobsFailed", "decisions", "denials"];

    /// <summary>The series' labels for people, by index.</summary>
    public static readonly string[] Labels = ["Jobs succeeded", "Failed attempts", "Rate-limit decisions", "Rate-limit denials"];
}
