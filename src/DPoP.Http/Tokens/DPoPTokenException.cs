using System.Net;

namespace DPoP.Http;

/// <summary>
/// A token request failed: the server answered with an OAuth error (RFC 6749 §5.2), or with something that is not a
/// usable DPoP token response. The message names the client, status and error; never a secret or a token.
/// </summary>
public sealed class DPoPTokenException : Exception
{
    /// <summary>Creates an exception.</summary>
    public DPoPTokenException()
        : this("The token request failed.")
    {
    }

    /// <summary>Creates an exception with a message.</summary>
    /// <param name="message">The message.</param>
    public DPoPTokenException(string message)
        : base(message)
    {
    }

    /// <summary>Creates an exception with a message and a cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The cause.</param>
    public DPoPTokenException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    internal DPoPTokenException(string message, HttpStatusCode? statusCode, string? error, string? errorDescription, string? errorUri)
        : base(message)
    {
        StatusCode = statusCode;
        Error = error;
        ErrorDescription = errorDescription;
        ErrorUri = errorUri;
    }

    /// <summary>The HTTP status of the token response, when there was one.</summary>
    public HttpStatusCode? StatusCode { get; }

    /// <summary>The OAuth <c>error</c> code (<c>invalid_client</c>, <c>invalid_grant</c>, …), or a DPoP.Http code such as <c>unexpected_token_type</c>.</summary>
    public string? Error { get; }

    /// <summary>The server's <c>error_description</c>, if any.</summary>
    public string? ErrorDescription { get; }

    /// <summary>The server's <c>error_uri</c>, if any.</summary>
    public string? ErrorUri { get; }
}
