using System.Data.Common;

namespace NewsCms.Web.Data;

/// <summary>Raw commands written once for both providers: parameters named <c>@name</c>, which both understand.</summary>
public static class DbCommandExtensions
{
    public static DbCommand WithParameter(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }
}
