using Microsoft.AspNetCore.Http;

namespace Strata.ApiKeys.Internal;

/// <summary>The scopes that <see cref="ScopeRequirement"/>s of this request found missing, for the 403 body.</summary>
internal sealed class MissingScopes
{
    private static readonly object ItemKey = new();

    public List<string> Required { get; } = [];

    public List<string> Missing { get; } = [];

    public static MissingScopes? Of(HttpContext context)
        => context.Items.TryGetValue(ItemKey, out var value) ? value as MissingScopes : null;

    public static void Note(HttpContext context, IEnumerable<string> required, IEnumerable<string> missing)
    {
        if (Of(context) is not { } noted)
        {
            noted = new MissingScopes();
            context.Items[ItemKey] = noted;
        }

        AddNew(noted.Required, required);
        AddNew(noted.Missing, missing);
    }

    private static void AddNew(List<string> list, IEnumerable<string> items)
    {
        foreach (var item in items)
        {
            if (!list.Contains(item, StringComparer.Ordinal))
            {
                list.Add(item);
            }
        }
    }
}
