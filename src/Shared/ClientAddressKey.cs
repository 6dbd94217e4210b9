using System.Net;
using System.Net.Sockets;

namespace Strata.Shared;

/// <summary>
/// The key under which a client address is counted: IPv4 (and IPv4-mapped IPv6) as written, IPv6 by
/// its /64 network, since one client usually holds a whole /64 and single IPv6 addresses are easy to
/// rotate. Compiled into each package that needs it (linked source), so the packages stay independent.
/// </summary>
internal static class ClientAddressKey
{
    /// <summary>The key for <paramref name="address"/>; <c>"unknown"</c> when there is none.</summary>
    public static string Of(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            Span<byte> bytes = stackalloc byte[16];
            address.TryWriteBytes(bytes, out _);
            bytes[8..].Clear();
            return new IPAddress(bytes).ToString() + "/64";
        }

        return address.ToString();
    }
}
