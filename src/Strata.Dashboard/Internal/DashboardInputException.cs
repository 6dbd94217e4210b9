namespace Strata.Dashboard.Internal;

/// <summary>A request the dashboard cannot serve because of its input: answered with a 400 page saying why.</summary>
internal sealed class DashboardInputException(string message) : Exception(message);
