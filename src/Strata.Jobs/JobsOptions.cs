using System.Text.Json;

namespace Strata.Jobs;

/// <summary>Settings of the job queue and its workers.</summary>
public sealed class JobsOptions
{
    /// <summary>The name of the queue used when a job names none.</summary>
    public const string DefaultQueueName = "default";

    /// <summary>The queue a job runs on when <see cref="JobOptions.Queue"/> is not set. It must be among <see cref="Queues"/> (added automatically when the list is empty).</summary>
    /// <value>Defaults to <c>"default"</c>.</value>
    public string DefaultQueue { get; set; } = DefaultQueueName;

    /// <summary>The named queues this host knows, with their weights and concurrency.</summary>
    /// <value>Defaults to empty, meaning one queue named <see cref="DefaultQueue"/> with weight 1.</value>
    public IList<JobQueueOptions> Queues { get; } = [];

    /// <summary>
    /// Named rate limits that hold across every host sharing the backend; a job counts against one when enqueued with
    /// <see cref="JobOptions.LimitKey"/> naming it. Example: <c>options.RateLimits["partner-api"] = new(10, TimeSpan.FromSeconds(1))</c>.
    /// </summary>
    public IDictionary<string, JobRateLimit> RateLimits { get; } = new Dictionary<string, JobRateLimit>(StringComparer.Ordinal);

    /// <summary>How many jobs this host runs at once across all queues.</summary>
    /// <value>Defaults to <see cref="Environment.ProcessorCount"/> times 4.</value>
    public int Concurrency { get; set; } = Environment.ProcessorCount * 4;

    /// <summary>False on hosts that only enqueue and read status (an API-only role): no workers run.</summary>
    /// <value>Defaults to true.</value>
    public bool RunWorkers { get; set; } = true;

    /// <summary>The most attempts a job gets when it names no number of its own.</summary>
    /// <value>Defaults to 5.</value>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>The delay before the second attempt; it doubles for every further attempt.</summary>
    /// <value>Defaults to 1 second.</value>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts.</summary>
    /// <value>Defaults to 5 minutes.</value>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>The share of each retry delay that is random (0 to 1), so retries of many jobs spread out.</summary>
    /// <value>Defaults to 0.2 (each delay is 80% to 120% of its nominal value).</value>
    public double RetryJitter { get; set; } = 0.2;

    /// <summary>Decides which exceptions are retried; others dead-letter the job at once. A <see cref="JobFailedException"/> with <c>Retryable = false</c> is never retried.</summary>
    /// <value>Defaults to null: every exception is retried.</value>
    public Func<Exception, bool>? RetryOn { get; set; }

    /// <summary>How long one attempt may run; null for no limit.</summary>
    /// <value>Defaults to null.</value>
    public TimeSpan? DefaultTimeout { get; set; }

    /// <summary>
    /// How long after its timeout a handler that ignores its token is waited for before the attempt is
    /// recorded as failed and the slot is given back (the handler's task is then abandoned). On shutdown, how long
    /// after the drain the workers' stop waits for the interrupted jobs to end and be handed back to their queue,
    /// even when the host's shutdown timeout has run out.
    /// </summary>
    /// <value>Defaults to 5 seconds.</value>
    public TimeSpan TimeoutGracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long finished jobs (succeeded, dead, cancelled) stay readable.</summary>
    /// <value>Defaults to 1 day.</value>
    public TimeSpan RetentionPeriod { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long an idempotency key is remembered.</summary>
    /// <value>Defaults to 1 day.</value>
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// On shutdown, how long running jobs may finish before their tokens fire; jobs stopped this way go back
    /// to the queue (see <see cref="TimeoutGracePeriod"/>). Null uses 80% of the host's shutdown timeout.
    /// </summary>
    /// <value>Defaults to null.</value>
    public TimeSpan? ShutdownDrainTimeout { get; set; }

    /// <summary>Serializer options for payloads and results. Set a source-generated resolver here (<c>TypeInfoResolver = MyJsonContext.Default</c>) to serialize without reflection.</summary>
    /// <value>Defaults to <see cref="JsonSerializerDefaults.Web"/> options.</value>
    public JsonSerializerOptions SerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>Turns a handler's exception into the caller-safe error summary stored with the job.</summary>
    /// <value>Defaults to null: the message of a <see cref="JobFailedException"/>, otherwise "The handler failed with {exception type name}."</value>
    public Func<Exception, string>? DescribeError { get; set; }

    /// <summary>Adds or updates a named queue.</summary>
    /// <param name="name">Letters, digits, '-' and '_'.</param>
    /// <param name="weight">The queue's share when several queues have work (a weight-3 queue gets three jobs started for every one of a weight-1 queue).</param>
    /// <param name="maxConcurrency">The most jobs of this queue running at once on this host, or null for no limit beyond <see cref="Concurrency"/>.</param>
    /// <returns>These options.</returns>
    public JobsOptions AddQueue(string name, int weight = 1, int? maxConcurrency = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        for (var i = 0; i < Queues.Count; i++)
        {
            if (string.Equals(Queues[i].Name, name, StringComparison.Ordinal))
            {
                Queues.RemoveAt(i);
                break;
            }
        }

        Queues.Add(new JobQueueOptions { Name = name, Weight = weight, MaxConcurrency = maxConcurrency });
        return this;
    }

    /// <summary>The queues workers take jobs from: <see cref="Queues"/>, or <see cref="DefaultQueue"/> alone when none is configured. For backends that set up each queue at start.</summary>
    /// <returns>A snapshot of the queues.</returns>
    public IReadOnlyList<JobQueueOptions> GetEffectiveQueues() =>
        Queues.Count == 0 ? [new JobQueueOptions { Name = DefaultQueue }] : [.. Queues];
}
