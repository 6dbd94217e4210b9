using System.Text.Json;

namespace Strata.Json;

/// <summary>Stored JSON turned back into elements.</summary>
internal static class JsonText
{
    /// <summary>Parses stored JSON into an element that outlives its document.</summary>
    public static JsonElement ToElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
