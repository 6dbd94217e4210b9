using System.Security.Cryptography;
using System.Text;

namespace Strata.RateLimiting.Redis;

/// <summary>A Lua script embedded in this assembly (Scripts/*.lua) and its SHA-1, for EVALSHA.</summary>
internal sealed class LuaScriptFile
{
    private LuaScriptFile(string name, string text)
    {
        Name = name;
        Text = text;
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(text));
    }

    public static LuaScriptFile Decide { get; } = Load("decide.lua");

    /// <summary>The lean script for a policy with one GCRA limit (the default).</summary>
    public static LuaScriptFile Gcra { get; } = Load("gcra.lua");

    /// <summary>Several decisions in one call (coalescing).</summary>
    public static LuaScriptFile DecideBatch { get; } = Load("decide_batch.lua");

    public static LuaScriptFile Release { get; } = Load("release.lua");

    public string Name { get; }

    public string Text { get; }

    public byte[] Sha1 { get; }

    private static LuaScriptFile Load(string file)
    {
        var resource = "Strata.RateLimiting.Redis.Scripts." + file;
        using var stream = typeof(LuaScriptFile).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return new LuaScriptFile(file, reader.ReadToEnd());
    }
}
