using System.Data.Common;
using Strata.Jobs.Backends;

namespace Strata.Jobs.EntityFrameworkCore.Internal;

/// <summary>Parameters by name, with null as <see cref="DBNull"/>.</summary>
internal static class DbCommandExtensions
{
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    /// <summary>Names the delivery's job and lease: the statement touches the row only while this delivery holds it.</summary>
    public static DbCommand Held(this DbCommand command, JobDelivery delivery) =>
        command.With("@id", delivery.Envelope.Id).With("@token", delivery.Receipt);

    public static string? NullableString(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? NullableInt64(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);

    public static int? NullableInt32(this DbDataReader reader, int ordinal) => reader.IsDBNull(ordinal) ? null : reader.GetInt32(ordinal);
}
