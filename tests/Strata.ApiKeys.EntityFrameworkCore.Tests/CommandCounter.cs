using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Strata.ApiKeys.EntityFrameworkCore.Tests;

/// <summary>Counts the commands sent whose SQL contains <see cref="Marker"/>.</summary>
public sealed class CommandCounter(string marker) : DbCommandInterceptor
{
    private int _count;

    public string Marker { get; } = marker;

    public int Count => _count;

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains(Marker, StringComparison.Ordinal))
        {
            Interlocked.Increment(ref _count);
        }

        return base.ReaderExecutingAsync(command, eventData, result, cancellationToken);
    }
}
