using System.Data.Common;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using OrleansTrader.Gateway.Json;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Turns exceptions into ProblemDetails without internals: malformed JSON and bad binding are 400 naming the field,
/// oversized bodies 413, grain timeouts 504 (the outcome is unknown; check the order by its client order id), a database
/// that failed a grain's read or write 503 (STORAGE_UNAVAILABLE, the outcome unknown too), anything else a plain 500. Exception text and stack traces appear only in Development.
/// </summary>
internal sealed partial class GatewayExceptionHandler(
    IProblemDetailsService problems,
    IHostEnvironment environment,
    ILogger<GatewayExceptionHandler> logger) : IExceptionHandler
{
    /// <summary>The reason code of a 503 for a storage failure.</summary>
    public const string StorageUnavailableReason = "STORAGE_UNAVAILABLE";

    private const string StorageRetryAfterSeconds = "5";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        ProblemDetails problem;
        switch (exception)
        {
            case BadHttpRequestException bad:
                problem = BadRequest(bad);
                break;
            case TimeoutException:
                LogTimeout(logger, exception);
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status504GatewayTimeout,
                    Title = "The cluster did not answer in time.",
                    Detail = "The outcome is unknown; look the order up by its client order id before retrying.",
                };
                break;
            case DbException:
                // A database outage or a dropped connection: transient, and not a defect of the request. One line per
                // request, not a stack trace each.
                LogStorageUnavailable(logger, exception.GetType().Name, exception.Message);
                httpContext.Response.Headers.RetryAfter = StorageRetryAfterSeconds;
                problem = new ProblemDetails
                {
                    Status = StatusCodes.Status503ServiceUnavailable,
                    Title = "The silo's storage is not available.",
                    Detail = "The outcome is unknown; look the order up by its client order id before retrying.",
                    Extensions = { ["reason"] = StorageUnavailableReason },
                };
                break;
            case OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested:
                return true;
            default:
                LogUnhandled(logger, exception);
                problem = new ProblemDetails { Status = StatusCodes.Status500InternalServerError, Title = "An unexpected error occurred." };
                if (environment.IsDevelopment())
                {
                    problem.Detail = exception.ToString();
                }

                break;
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        return await problems.TryWriteAsync(new ProblemDetailsContext { HttpContext = httpContext, ProblemDetails = problem, Exception = exception });
    }

    private static ProblemDetails BadRequest(BadHttpRequestException bad)
    {
        if (bad.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new ProblemDetails { Status = bad.StatusCode, Title = "The request body is too large." };
        }

        if (bad.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return new ProblemDetails { Status = bad.StatusCode, Title = "Send the body as application/json." };
        }

        if (UnboundParameter(bad.Message) is { } parameter)
        {
            return new HttpValidationProblemDetails(new Dictionary<string, string[]> { [parameter.Name] = [parameter.Problem] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid fields.",
            };
        }

        var json = FindJsonException(bad);
        // Malformed JSON is the body's fault, wherever the reader stopped.
        var field = json is null || json.InnerException is JsonException ? "body" : FieldName(json.Path);
        return new HttpValidationProblemDetails(new Dictionary<string, string[]>
        {
            [field] = [json is null ? "The request body is missing or unreadable." : JsonProblem(json)],
        })
        {
            Status = StatusCodes.Status400BadRequest,
            Title = json is null ? "The request could not be read." : "The request body is not valid JSON for this route.",
        };
    }

    /// <summary>
    /// A query or route value the framework could not convert ("Failed to bind parameter \"Nullable&lt;int&gt; limit\" from \"abc\"."):
    /// named, with the form it needs, instead of being blamed on the body. The value itself is not echoed.
    /// </summary>
    internal static (string Name, string Problem)? UnboundParameter(string message)
    {
        var match = UnboundParameterPattern().Match(message);
        if (!match.Success)
        {
            return null;
        }

        // The framework names an optional parameter's type "Nullable<int>".
        var type = match.Groups["type"].Value;
        type = type.StartsWith("Nullable<", StringComparison.Ordinal) ? type[9..^1] : type.TrimEnd('?');
        var problem = type switch
        {
            "int" or "long" => "Must be a whole number.",
            "decimal" or "double" => "Must be a number.",
            "DateOnly" => "Must be a date, yyyy-mm-dd.",
            "DateTimeOffset" or "DateTime" => "Must be a date and time in ISO 8601, such as 2026-03-02T14:30:00Z.",
            "bool" => "Must be true or false.",
            _ => "Not a valid value.",
        };
        return (match.Groups["name"].Value, problem);
    }

    /// <summary>The problem of a field a body names twice (in any case).</summary>
    internal const string DuplicateField = "Sent more than once; send each field once.";

    /// <summary>
    /// What is wrong with a body the JSON reader refused, in words a client can act on: malformed JSON and where it breaks,
    /// a field the route does not take, or the JSON type the field needs. The reader's own message names .NET types, so it is
    /// never echoed; a gateway converter's <see cref="JsonValueException"/> is written for clients and is.
    /// </summary>
    internal static string JsonProblem(JsonException json)
    {
        if (json is JsonValueException)
        {
            return json.Message;
        }

        // The serializer wraps the reader's own exception (malformed JSON) in one that adds the path.
        if (json.InnerException is JsonException)
        {
            return $"Malformed JSON at line {json.LineNumber + 1}, byte {json.BytePositionInLine + 1}.";
        }

        if (json.Message.StartsWith("The JSON property ", StringComparison.Ordinal) && json.Message.Contains("could not be mapped", StringComparison.Ordinal))
        {
            return "Unknown field; this route does not take it.";
        }

        // JsonSerializerOptions.AllowDuplicateProperties is off: "Duplicate property 'x' encountered ..." for an object's
        // field, "Duplicate properties not allowed ..." for a map's key; the path names the field either way.
        if (json.Message.StartsWith("Duplicate propert", StringComparison.Ordinal))
        {
            return DuplicateField;
        }

        var conversion = ConversionTargetPattern().Match(json.Message);
        if (!conversion.Success)
        {
            return "The value is not valid JSON of the expected type.";
        }

        var target = ConversionTarget(conversion.Groups["type"].Value, json.Path);
        if (target is null)
        {
            return "The value is not valid JSON of the expected type.";
        }

        target = Nullable.GetUnderlyingType(target) ?? target;
        return target switch
        {
            _ when target == typeof(string) => "Must be a string.",
            _ when target == typeof(bool) => "Must be true or false.",
            _ when target == typeof(int) || target == typeof(long) => "Must be a whole number.",
            _ when target == typeof(decimal) || target == typeof(double) => "Must be a number.",
            _ when target == typeof(TimeSpan) => "Must be a time as \"hh:mm:ss\".",
            _ when target == typeof(DateTimeOffset) || target == typeof(DateTime) => "Must be a date and time in ISO 8601, such as 2026-03-02T14:30:00Z.",
            _ when target == typeof(DateOnly) => "Must be a date, yyyy-mm-dd.",
            _ when typeof(System.Collections.IDictionary).IsAssignableFrom(target) => "Must be an object.",
            _ when typeof(System.Collections.IEnumerable).IsAssignableFrom(target) => "Must be a list.",
            _ => "Must be an object.",
        };
    }

    /// <summary>
    /// The type the refused value should have had. The serializer names either that type or, for a property it reads
    /// in place (a string, a time), the object holding it: then the property the path ends in says.
    /// </summary>
    private static Type? ConversionTarget(string typeName, string? path)
    {
        var named = typeof(GatewayExceptionHandler).Assembly.GetType(typeName)
            ?? typeof(Grains.Abstractions.IAccountGrain).Assembly.GetType(typeName)
            ?? Type.GetType(typeName);
        var last = path is null ? null : path[(path.LastIndexOf('.') + 1)..];
        var property = named is null || string.IsNullOrEmpty(last) || named.Namespace?.StartsWith("System", StringComparison.Ordinal) == true
            ? null
            : named.GetProperty(last, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.IgnoreCase);
        return property?.PropertyType ?? named;
    }

    [GeneratedRegex("""^The JSON value could not be converted to (?<type>\S+)\. """)]
    private static partial Regex ConversionTargetPattern();

    [GeneratedRegex("""^Failed to bind parameter "(?<type>[A-Za-z0-9_.?<>]+) (?<name>[A-Za-z0-9_]+)" from ".*"\.$""", RegexOptions.Singleline)]
    private static partial Regex UnboundParameterPattern();

    private static JsonException? FindJsonException(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is JsonException json)
            {
                return json;
            }
        }

        return null;
    }

    /// <summary>"$.takeProfit.limitPrice" becomes "takeProfit.limitPrice"; the root becomes "body".</summary>
    internal static string FieldName(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length is 0 or > 200 ? "body" : field;
    }

    [LoggerMessage(EventId = 7101, Level = LogLevel.Warning, Message = "A grain call timed out")]
    private static partial void LogTimeout(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 7103, Level = LogLevel.Warning, Message = "Storage failed a request ({ExceptionType}): {Reason}")]
    private static partial void LogStorageUnavailable(ILogger logger, string exceptionType, string reason);

    [LoggerMessage(EventId = 7102, Level = LogLevel.Error, Message = "Unhandled exception in the gateway")]
    private static partial void LogUnhandled(ILogger logger, Exception exception);
}
