namespace DPoP.Http.Internal;

/// <summary>
/// The <c>htm</c> of a request: the method exactly as .NET's transport writes it (RFC 9449 §4.2, §4.3 check 7).
/// <see cref="SocketsHttpHandler"/> sends the methods it knows (GET, POST, PUT, DELETE, HEAD, OPTIONS, TRACE, PATCH,
/// CONNECT) in upper case whatever case the <see cref="HttpMethod"/> was made with, and any other method token as
/// given, over HTTP/1.1 and HTTP/2 alike; <see cref="HttpMethod.Parse(ReadOnlySpan{char})"/> applies the same rule.
/// </summary>
internal static class DPoPHttpMethod
{
    /// <summary>The method as sent on the wire.</summary>
    public static string ToWire(HttpMethod method)
    {
        // The static instances (HttpMethod.Get, …) are already in wire form; only other instances need the lookup.
        var name = method.Method;
        return IsUpperCase(name) ? name : HttpMethod.Parse(name).Method;
    }

    /// <summary>The method as sent on the wire, for a method given as a validated token.</summary>
    public static string ToWire(string method) => IsUpperCase(method) ? method : HttpMethod.Parse(method).Method;

    // A known method in upper case is its own wire form, and an upper-case extension method is sent as given.
    private static bool IsUpperCase(string method)
    {
        foreach (var c in method)
        {
            if (c is >= 'a' and <= 'z')
            {
                return false;
            }
        }

        return true;
    }
}
