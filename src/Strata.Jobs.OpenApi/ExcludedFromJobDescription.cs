namespace Strata.Jobs.OpenApi;

/// <summary>Endpoint metadata: <c>AddJobEndpointDescriptions</c> leaves the operation as the endpoint describes it.</summary>
internal sealed class ExcludedFromJobDescription
{
    public static readonly ExcludedFromJobDescription Instance = new();
}
