namespace Strata.Jobs;

/// <summary>
/// Endpoint metadata read by the documentation packages (Strata.Jobs.OpenApi, Strata.Jobs.Swashbuckle): when
/// <see cref="ExcludeFromJobDescription"/> is <see langword="true"/>, they add no headers and no parameter to the
/// endpoint's operations. <c>ExcludeFromJobDescription()</c> puts it on an endpoint or group.
/// </summary>
public interface IExcludeFromJobDescriptionMetadata
{
    /// <summary>Whether the documentation packages leave the endpoint as it describes itself.</summary>
    bool ExcludeFromJobDescription { get; }
}
