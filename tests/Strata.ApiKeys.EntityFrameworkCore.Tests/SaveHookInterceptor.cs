using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>
/// Counts the store's <c>SaveChanges</c> calls and, while <see cref="BeforeSave"/> is set, runs it just before each one:
/// the moment another node's write would land between the store's read and its write.
/// </summary>
public sealed class SaveHookInterceptor : SaveChangesInterceptor
{
    private int _saves;

    public int Saves => _saves;

    /// <summary>Runs before a save; given the number of this save (1 for the first).</summary>
    public Func<int, Task>? BeforeSave { get; set; }

    public void Reset() => Interlocked.Exchange(ref _saves, 0);

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        var save = Interlocked.Increment(ref _saves);
        if (BeforeSave is { } hook)
        {
            await hook(save);
        }

        return result;
    }
}
