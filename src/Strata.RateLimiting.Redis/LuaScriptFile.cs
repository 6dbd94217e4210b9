using Strata.Redis;

namespace Strata.RateLimiting.Redis;

/// <summary>The rate-limiting scripts embedded in this assembly (Scripts/*.lua), each with its SHA-1 for EVALSHA.</summary>
internal sealed class LuaScriptFile : EmbeddedLuaScript
{
    private LuaScriptFile(string file)
        : base(file)
    {
    }

    public static LuaScriptFile Decide { get; } = new("decide.lua");

    /// <summary>The lean script for a policy with one GCRA limit (the default).</summary>
    public static LuaScriptFile Gcra { get; } = new("gcra.lua");

    /// <summary>Several decisions in one call (coalescing).</summary>
    public static LuaScriptFile DecideBatch { get; } = new("decide_batch.lua");

    public static LuaScriptFile Release { get; } = new("release.lua");
}
