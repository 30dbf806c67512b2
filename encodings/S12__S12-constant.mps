*SENSE:Maximize
NAME          certify
OBJSENSE
    MAX
ROWS
 N  OBJ
 L  t_p0
 L  t_m0
 E  one_output
COLUMNS
    MARK      'MARKER'                 'INTORG'
    sm0       t_m0       2.000000000000e-09
    sm0       one_output   1.000000000000e+00
    MARK      'MARKER'                 'INTEND'
    MARK      'MARKER'                 'INTORG'
    sp0       t_p0       2.000000000000e-09
    sp0       one_output   1.000000000000e+00
    MARK      'MARKER'                 'INTEND'
    t         t_p0       1.000000000000e+00
    t         t_m0       1.000000000000e+00
    t         OBJ        1.000000000000e+00
    x0        t_p0      -0.000000000000e+00
    x0        t_m0       0.000000000000e+00
RHS
    RHS       t_p0       2.000000000000e-09
    RHS       t_m0       2.000000000000e-09
    RHS       one_output   1.000000000000e+00
BOUNDS
 BV BND       sm0     
 BV BND       sp0     
 FR BND       t       
 LO BND       x0         2.000000000000e+00
 UP BND       x0         5.000000000000e+00
ENDATA
