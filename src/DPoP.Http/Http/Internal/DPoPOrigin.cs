namespace DPoP.Http.Internal;

/// <summary>
/// An origin (RFC 6454): scheme, host and port — the unit nonces are kept per (RFC 9449 §8.2) and that an access
/// token never leaves. <see cref="Uri"/> already lower-cases the scheme and host of http(s) URIs; IDN hosts compare
/// in punycode.
/// </summary>
internal readonly record struct DPoPOrigin(string Scheme, string Host, int Port)
{
    public static DPoPOrigin Of(Uri requestUri)
    {
        ArgumentNullException.ThrowIfNull(requestUri);
        if (!requestUri.IsAbsoluteUri)
        {
            throw new ArgumentException("The request URI must be absolute.", nameof(requestUri));
        }

        if (!DPoPTargetUri.TryGetIdnHost(requestUri, out var host))
        {
            throw new ArgumentException(DPoPTargetUri.InvalidIdnHost, nameof(requestUri));
        }

        return new DPoPOrigin(requestUri.Scheme, host, requestUri.Port);
    }
}
