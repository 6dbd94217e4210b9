using System.Text.Json;

namespace Strata.Jobs;

internal static class JsonText
{
    /// <summary>Parses stored JSON into an element that outlives its document.</summary>
    public static JsonElement ToElement(string json)
    {
        using var document = JsonDocument.Parse(json);
        return document.RootElement.Clone();
    }
}
