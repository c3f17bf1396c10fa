namespace DPoP.Http.Internal;

/// <summary>
/// What a failed read of a response body becomes: the <see cref="HttpRequestException"/> HttpClient itself throws
/// when it fails to buffer a body, with the IO failure inside, instead of a raw <see cref="IOException"/> (or
/// <see cref="HttpIOException"/>) that no caller of <c>SendAsync</c> is told to expect.
/// </summary>
internal static class ResponseBodyReadFailure
{
    /// <summary>The exception to throw for <paramref name="failure"/>; its error is the transport's own, else <see cref="HttpRequestError.ResponseEnded"/>.</summary>
    public static HttpRequestException From(IOException failure, string message) => new(
        failure is HttpIOException { HttpRequestError: not HttpRequestError.Unknown } io ? io.HttpRequestError : HttpRequestError.ResponseEnded,
        message,
        failure);
}
