using Strata.Redis;

namespace Strata.Jobs.Redis;

/// <summary>
/// The job scripts, read once from the embedded .lua files. Each call runs EVALSHA; on NOSCRIPT (a
/// restarted or failed-over server) it sends the script again with EVAL, which loads it.
/// </summary>
internal sealed class RedisScript : EmbeddedLuaScript
{
    private RedisScript(string name)
        : base(name + ".lua")
    {
    }

    public static RedisScript EnqueueBatch { get; } = new("enqueue_batch");

    public static RedisScript Start { get; } = new("start");

    public static RedisScript StartBatch { get; } = new("start_batch");

    public static RedisScript ReadStart { get; } = new("read_start");

    public static RedisScript SucceedBatch { get; } = new("succeed_batch");

    public static RedisScript Finish { get; } = new("finish");

    public static RedisScript Retry { get; } = new("retry");

    public static RedisScript Release { get; } = new("release");

    public static RedisScript Promote { get; } = new("promote");

    public static RedisScript Cancel { get; } = new("cancel");

    public static RedisScript Requeue { get; } = new("requeue");

    public static RedisScript Sweep { get; } = new("sweep");

    public static RedisScript Progress { get; } = new("progress");

    public static RedisScript Scan { get; } = new("scan");

    public static RedisScript Defer { get; } = new("defer");

    public static RedisScript Oldest { get; } = new("oldest");

    public static RedisScript ScheduleSave { get; } = new("schedule_save");

    public static RedisScript SlotAcquire { get; } = new("slot_acquire");

    public static RedisScript PermitTake { get; } = new("permit_take");
}
