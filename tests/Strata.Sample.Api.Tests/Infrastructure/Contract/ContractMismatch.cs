namespace Strata.Sample.Api.Tests.Infrastructure.Contract;

/// <summary>A response that differs from the document.</summary>
/// <param name="Operation">The operation (operationId, else method and path template), or method and path when none matched.</param>
/// <param name="Status">The response's status code.</param>
/// <param name="Allowance">The key <see cref="ContractAllowances"/> looks up: "header RateLimit", "status GetJob 400", "path /health/live".</param>
/// <param name="Problem">What differs, for a person.</param>
public sealed record ContractMismatch(string Operation, int Status, string Allowance, string Problem)
{
    /// <summary>True when <see cref="ContractAllowances"/> lets this mismatch pass for now.</summary>
    public bool IsAllowed => ContractAllowances.Allows(Allowance);

    public override string ToString() => $"{Operation} {Status}: {Problem}";
}
