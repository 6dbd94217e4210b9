namespace Strata.Jobs.Internal;

/// <summary>Checks what a recurring job is registered with; every failure is an <see cref="ArgumentException"/> naming the fix.</summary>
internal static class RecurringValidation
{
    /// <summary>The longest schedule name; the idempotency key of an occurrence (<c>recurring:{name}:{ticks}</c>) stays well under 256 characters.</summary>
    public const int MaxNameLength = 100;

    public static void ValidateName(string name, string paramName = "name")
    {
        ArgumentNullException.ThrowIfNull(name, paramName);
        if (name.Length is 0 or > MaxNameLength || !name.All(static c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.'))
        {
            throw new ArgumentException(
                $"The recurring job name \"{name}\" is not valid: use 1 to {MaxNameLength} ASCII letters, digits, '-', '_' and '.', for example \"nightly-report\".",
                paramName);
        }
    }

    /// <summary>Checks what can be checked without the host's services: the cron expression, the time zone and the numbers.</summary>
    public static void ValidateStatic(string name, string cron, RecurringJobOptions options)
    {
        ValidateName(name);
        RecurringCron.Parse(cron);
        RecurringCron.GetTimeZoneId(options.TimeZone);
        if (!Enum.IsDefined(options.Misfire))
        {
            throw new ArgumentException($"RecurringJobOptions.Misfire has the unknown value {(int)options.Misfire}; use FireOnce or Skip.", nameof(options));
        }

        if (options.MaxAttempts is < 1)
        {
            throw new ArgumentException($"RecurringJobOptions.MaxAttempts must be at least 1 (is {options.MaxAttempts}).", nameof(options));
        }

        if (options.Timeout is { } timeout && timeout <= TimeSpan.Zero)
        {
            throw new ArgumentException("RecurringJobOptions.Timeout must be positive.", nameof(options));
        }

        if (options.Queue is { Length: 0 } || options.LimitKey is { Length: 0 })
        {
            throw new ArgumentException("RecurringJobOptions.Queue and LimitKey must not be empty; leave them null for the defaults.", nameof(options));
        }
    }

    /// <summary>Everything, then the schedule to store (its state empty): the queue and rate limit must be configured, the job type registered.</summary>
    public static RecurringSchedule CreateDefinition<TJob>(string name, string cron, TJob job, RecurringJobOptions? options, JobTypeRegistry registry, JobsOptions jobsOptions)
    {
        ArgumentNullException.ThrowIfNull(job);
        options ??= new RecurringJobOptions();
        ValidateStatic(name, cron, options);
        var queue = options.Queue ?? jobsOptions.DefaultQueue;
        if (!jobsOptions.GetEffectiveQueues().Any(q => string.Equals(q.Name, queue, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"Recurring job '{name}': queue '{queue}' is not configured; add it with options.AddQueue(\"{queue}\") in AddStrataJobs.", nameof(options));
        }

        if (options.LimitKey is { } limitKey && !jobsOptions.RateLimits.ContainsKey(limitKey))
        {
            throw new ArgumentException($"Recurring job '{name}': rate limit '{limitKey}' is not configured; add it to JobsOptions.RateLimits in AddStrataJobs.", nameof(options));
        }

        var registration = registry.Get<TJob>();
        return new RecurringSchedule
        {
            JobType = registration.Name,
            Queue = queue,
            Payload = registration.Serialize(job, registry.SerializerOptions),
            Cron = cron.Trim(),
            TimeZone = RecurringCron.GetTimeZoneId(options.TimeZone),
            Misfire = options.Misfire,
            AllowOverlap = options.AllowOverlap,
            MaxAttempts = options.MaxAttempts,
            Timeout = options.Timeout,
            LimitKey = options.LimitKey,
        };
    }
}
