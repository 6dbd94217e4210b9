using System.Text;

namespace Strata.Reliability.Tests.Security;

/// <summary>
/// Everything secret about a set of keys, as needles to look for in text or bytes: each key, its secret part, every
/// 16-character window of the secret (a truncated or re-wrapped key), its stored hash (lower and upper case, and as
/// base64 of the raw bytes), the plain SHA-256 hex when a pepper is used, and the pepper and its 16-character windows.
/// </summary>
internal sealed class SecretScanner
{
    private const int Window = 16;
    private readonly List<(string Label, string Needle)> _needles = [];

    public SecretScanner AddKey(string label, string key, string? pepper)
    {
        AddSecretsOf(label, key);
        var stored = KeyShapes.StoredHash(key, pepper);
        AddHash($"{label}: stored hash", stored);
        if (pepper is not null)
        {
            AddHash($"{label}: plain SHA-256", KeyShapes.StoredHash(key, pepper: null));
        }

        return this;
    }

    /// <summary>The key, its secret part and the secret's 16-character windows only (no hashes).</summary>
    public SecretScanner AddSecretsOf(string label, string key)
    {
        _needles.Add(($"{label}: key", key));
        var secret = KeyShapes.SecretOf(key);
        _needles.Add(($"{label}: secret part", secret));
        for (var i = 0; i + Window <= secret.Length; i++)
        {
            _needles.Add(($"{label}: secret characters {i}..{i + Window}", secret.Substring(i, Window)));
        }

        return this;
    }

    public SecretScanner AddHashOnly(string label, string hexHash)
    {
        AddHash(label, hexHash);
        return this;
    }

    public SecretScanner AddPepper(string pepper)
    {
        _needles.Add(("pepper", pepper));
        for (var i = 0; i + Window <= pepper.Length; i++)
        {
            _needles.Add(($"pepper characters {i}..{i + Window}", pepper.Substring(i, Window)));
        }

        return this;
    }

    /// <summary>Each (needle label, offending line) found in <paramref name="text"/>, line by line.</summary>
    public List<string> Scan(string source, string text)
    {
        var found = new List<string>();
        foreach (var line in text.Split('\n'))
        {
            foreach (var (label, needle) in _needles)
            {
                if (line.Contains(needle, StringComparison.Ordinal))
                {
                    found.Add($"{source}: {label} in line: {Shorten(line)}");
                }
            }
        }

        return found;
    }

    /// <summary>Each needle label found anywhere in <paramref name="bytes"/> as UTF-8 or as UTF-16 (little endian).</summary>
    public List<string> ScanBytes(string source, byte[] bytes)
    {
        var found = new List<string>();
        foreach (var (label, needle) in _needles)
        {
            if (bytes.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0 || bytes.AsSpan().IndexOf(Encoding.Unicode.GetBytes(needle)) >= 0)
            {
                found.Add($"{source}: {label}");
            }
        }

        return found;
    }

    private void AddHash(string label, string hex)
    {
        _needles.Add((label, hex));
        _needles.Add(($"{label} (upper case)", hex.ToUpperInvariant()));
        _needles.Add(($"{label} (base64)", Convert.ToBase64String(Convert.FromHexString(hex))));
    }

    // The keys are throwaway keys of a temporary deployment; the line is cut short only for readability.
    private static string Shorten(string line) => line.Length <= 160 ? line : line[..160] + "...";
}
