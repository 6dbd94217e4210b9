namespace Strata.Jobs;

/// <summary>Settings of one recurring job. Every property is optional.</summary>
public sealed class RecurringJobOptions
{
    /// <summary>The time zone the cron expression is read in; daylight-saving transitions are handled as Cronos defines them.</summary>
    /// <value>Defaults to UTC.</value>
    public TimeZoneInfo? TimeZone { get; set; }

    /// <summary>The queue the occurrences run on.</summary>
    /// <value>Defaults to <see cref="JobsOptions.DefaultQueue"/>.</value>
    public string? Queue { get; set; }

    /// <summary>What to do with occurrences missed while no host ran (downtime).</summary>
    /// <value>Defaults to <see cref="RecurringMisfirePolicy.FireOnce"/>.</value>
    public RecurringMisfirePolicy Misfire { get; set; } = RecurringMisfirePolicy.FireOnce;

    /// <summary>When false, an occurrence is skipped while the job of the previous occurrence has not finished.</summary>
    /// <value>Defaults to true.</value>
    public bool AllowOverlap { get; set; } = true;

    /// <summary>The most attempts each occurrence's job gets.</summary>
    /// <value>Defaults to <see cref="JobsOptions.MaxAttempts"/>.</value>
    public int? MaxAttempts { get; set; }

    /// <summary>How long one attempt may run.</summary>
    /// <value>Defaults to <see cref="JobsOptions.DefaultTimeout"/>.</value>
    public TimeSpan? Timeout { get; set; }

    /// <summary>A rate limit of <see cref="JobsOptions.RateLimits"/> each occurrence's job counts against; null for none.</summary>
    public string? LimitKey { get; set; }
}
