namespace Strata.Dashboard.Internal;

/// <summary>An embedded asset: its bytes, its content type, and the file name it is served under (with a hash of its bytes).</summary>
internal sealed record DashboardAsset(string FileName, string ContentType, byte[] Bytes);
