using System.Globalization;
using Xunit.Abstractions;

namespace Strata.Containers.Tests;

/// <summary>Timings and figures of a run: printed to the test output and kept in artifacts/containers/.</summary>
internal sealed class Report(ITestOutputHelper output, string fileName)
{
    private readonly List<string> _lines = [];

    public void Line(string text)
    {
        _lines.Add(text);
        output.WriteLine(text);
        File.WriteAllLines(Path.Combine(Repository.Root, "artifacts", "containers", fileName), _lines);
    }

    public void Step(string name, TimeSpan elapsed) => Line(string.Create(CultureInfo.InvariantCulture, $"{elapsed.TotalSeconds,7:0.0} s  {name}"));
}
