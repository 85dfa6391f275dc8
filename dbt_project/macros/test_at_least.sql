{#- Fails for every row whose column is below the minimum (nulls pass: they are what is withheld). -#}
{% test at_least(model, column_name, minimum) %}
select {{ column_name }}
from {{ model }}
where {{ column_name }} < {{ minimum }}
{% endtest %}
