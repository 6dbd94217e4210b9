using System.Security.Cryptography;
using System.Text;
using StackExchange.Redis;

namespace Strata.Redis;

/// <summary>
/// A Lua script embedded in the assembly of the class that derives from this one, as the resource
/// <c>{that class's namespace}.Scripts.{file}</c>, read once, with its SHA-1 for EVALSHA (compiled into both
/// Redis packages; each derives a catalog of its own scripts).
/// </summary>
internal abstract class EmbeddedLuaScript
{
    protected EmbeddedLuaScript(string file)
    {
        var resource = $"{GetType().Namespace}.Scripts.{file}";
        using var stream = GetType().Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"The embedded script '{resource}' is missing from the assembly.");
        using var reader = new StreamReader(stream, Encoding.UTF8);
        Name = file;
        Text = reader.ReadToEnd();
#pragma warning disable CA5350 // SHA-1 is what Redis names scripts by; no security depends on it.
        Sha1 = SHA1.HashData(Encoding.UTF8.GetBytes(Text));
#pragma warning restore CA5350
    }

    /// <summary>The file name, for example <c>gcra.lua</c>.</summary>
    public string Name { get; }

    /// <summary>The script's text, sent with EVAL when the server does not know the SHA.</summary>
    public string Text { get; }

    /// <summary>The SHA-1 of the UTF-8 text, the name EVALSHA runs the script by.</summary>
    public byte[] Sha1 { get; }

    /// <summary>True for the reply of a server that does not hold the script (restart, failover, SCRIPT FLUSH).</summary>
    public static bool IsNoScript(Exception exception) =>
        exception is RedisServerException && exception.Message.StartsWith("NOSCRIPT", StringComparison.Ordinal);

    /// <summary>Runs the script with EVALSHA; on NOSCRIPT sends it again with EVAL, which loads it.</summary>
    public async Task<RedisResult> EvaluateAsync(IDatabaseAsync database, RedisKey[] keys, RedisValue[] values)
    {
        try
        {
            return await database.ScriptEvaluateAsync(Sha1, keys, values).ConfigureAwait(false);
        }
        catch (RedisServerException ex) when (IsNoScript(ex))
        {
            return await database.ScriptEvaluateAsync(Text, keys, values).ConfigureAwait(false);
        }
    }
}
