using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using Strata.Jobs.Internal;

namespace Strata.Jobs;

/// <summary>
/// Reads the job in a POST body, with the serializer metadata the queue uses for the job type made strict when
/// <see cref="JobEndpointOptions.ValidateRequiredMembers"/> is set (see <see cref="StrictJobJson"/>), and turns
/// what is wrong with a body into a sentence for the 400 answer.
/// </summary>
internal sealed class JobBodyReader<TJob>
{
    private readonly JsonTypeInfo<TJob> _typeInfo;
    private readonly string _name;

    private JobBodyReader(string name, JsonTypeInfo<TJob> typeInfo)
    {
        _name = name;
        _typeInfo = typeInfo;
    }

    public static JobBodyReader<TJob> Create(JobTypeRegistration<TJob> registration, JsonSerializerOptions serializerOptions, bool validateRequiredMembers)
    {
        var typeInfo = registration.GetTypeInfo(serializerOptions);
        return new(registration.Name, validateRequiredMembers ? StrictJobJson.For(typeInfo) : typeInfo);
    }

    /// <summary>Reads the job; on failure returns null and why, in words fit for the caller.</summary>
    public async ValueTask<(TJob? Job, string? Error)> ReadAsync(Stream body, CancellationToken cancellationToken)
    {
        TJob? job;
        try
        {
            job = await JsonSerializer.DeserializeAsync(body, _typeInfo, cancellationToken).ConfigureAwait(false);
        }
        catch (JsonException ex)
        {
            return (default, Describe(ex));
        }

        return job is null ? (default, $"The request body must be a {_name} job, not null.") : (job, null);
    }

    private string Describe(JsonException ex)
    {
        if (ex.InnerException is JsonException)
        {
            // The reader's own exception inside: the body is not JSON at all.
            return $"The request body is not valid JSON for a {_name} job (line {ex.LineNumber + 1}, byte {ex.BytePositionInLine + 1}): {Reason(ex.Message)}";
        }

        // A value of the wrong JSON type: the reader's complaint ("Cannot get the value of a token type 'Number' as a
        // string.") says more than the serializer's, which names the type that owns the constructor, not the member.
        var reason = ex.InnerException is InvalidOperationException wrongType ? wrongType.Message : Reason(ex.Message);
        var where = ex.Path is { Length: > 1 } path ? $" (at {path})" : string.Empty;
        return $"The request body is not a valid {_name} job{where}: {reason}";
    }

    /// <summary>
    /// The serializer's sentence without what is meant for the job type's author rather than the caller: the
    /// "Path: ... | LineNumber: ..." it appends, the namespace of the job type, and advice to change its annotations.
    /// </summary>
    private string Reason(string message)
    {
        var cut = message.IndexOf(" Path: ", StringComparison.Ordinal);
        if (cut < 0)
        {
            cut = message.IndexOf(" LineNumber: ", StringComparison.Ordinal);
        }

        var reason = cut < 0 ? message : message[..cut];
        var advice = reason.IndexOf(" Consider ", StringComparison.Ordinal);
        if (advice > 0)
        {
            reason = reason[..advice];
        }

        return (typeof(TJob).FullName is { } fullName ? reason.Replace(fullName, _name, StringComparison.Ordinal) : reason).TrimEnd();
    }
}
